// The one shape every module of the daemon has: started in order, stopped in reverse, asked
// whether it is well (the appliance's READY=1 and /metrics read `health`).
import type { Logger } from '../log.js';

export interface ServiceHealth {
  ok: boolean;
  /** Why not ok, or what a person should know (FFmpeg missing, a listener's address). */
  detail?: string;
}

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): ServiceHealth;
}

export interface RunningServices {
  /** Names in start order. */
  readonly names: readonly string[];
  health(): Record<string, ServiceHealth>;
  /** Stops every service in reverse order; a failing stop is logged and the others still stop. */
  stop(): Promise<void>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function stopAll(started: readonly Service[], log: Logger): Promise<void> {
  for (const s of [...started].reverse()) {
    try {
      await s.stop();
    } catch (err) {
      log.error({ service: s.name, err: errorText(err) }, 'service did not stop cleanly');
    }
  }
}

/**
 * Starts `services` one after the other (undefined: a service turned off in the config, skipped).
 * When one fails to start, those already started are stopped (in reverse) and the error is
 * rethrown: a daemon that cannot start leaves nothing running.
 */
export async function startServices(services: ReadonlyArray<Service | undefined>, log: Logger): Promise<RunningServices> {
  const started: Service[] = [];
  for (const s of services) {
    if (!s) continue;
    try {
      await s.start();
    } catch (err) {
      log.error({ service: s.name, err: errorText(err) }, 'service failed to start; stopping those started');
      await stopAll(started, log);
      throw err;
    }
    started.push(s);
  }
  let stopping: Promise<void> | undefined;
  return {
    names: started.map((s) => s.name),
    health: () => Object.fromEntries(started.map((s) => [s.name, s.health()])),
    stop: () => (stopping ??= stopAll(started, log)),
  };
}

/** A Service from plain start/stop steps (timers, listeners) that are well while they run. */
export function simpleService(name: string, steps: { start?: () => unknown; stop?: () => unknown; health?: () => ServiceHealth }): Service {
  let running = false;
  return {
    name,
    async start() {
      await steps.start?.();
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      await steps.stop?.();
    },
    health: () => steps.health?.() ?? (running ? { ok: true } : { ok: false, detail: 'not running' }),
  };
}
