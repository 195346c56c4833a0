// sd_notify(3) from Node: READY=1, STATUS=, STOPPING=1 and the watchdog keep-alive.
//
// Node has no unix datagram socket, so the message is sent by libsystemd's own sd_notify()
// through the `sd-notify` addon (github.com/systemd/node-sd-notify): the reference
// implementation of the protocol (path and abstract sockets, credentials), sent from the daemon's
// own PID, so the unit keeps NotifyAccess=main. Spawning `systemd-notify` instead needs
// NotifyAccess=all and loses messages when the helper exits before systemd reads its credentials;
// `unix-dgram` is a native addon too, and would leave the protocol to us. The cost: the addon is
// built by node-gyp at `npm ci` against libsystemd-dev (scripts/deps.sh) and for one Node major
// (it uses the V8 API, not Node-API); it is an optional dependency, so a machine without
// libsystemd still installs, and `vcgw run` under Type=notify then says what is missing.
import { createRequire } from 'node:module';

/** The part of the `sd-notify` addon used here (it ships no types). */
interface SdNotifyAddon {
  sendState(state: string): void;
  /** sd_watchdog_enabled(): the period in ms, 0 when no watchdog applies to this PID. */
  watchdogInterval(): number;
}

export interface Watchdog {
  /** How often WATCHDOG=1 is sent (half of WATCHDOG_USEC). */
  readonly everyMs: number;
  stop(): void;
}

export interface ServiceManager {
  /** True when started by systemd with a notify socket. */
  readonly notifying: boolean;
  ready(status: string): void;
  stopping(status: string): void;
  /**
   * Sends WATCHDOG=1 at half the period systemd asked for, from a timer on the event loop: a
   * loop that stops turning stops the keep-alive and systemd restarts the service.
   * undefined when no watchdog is asked for.
   */
  startWatchdog(): Watchdog | undefined;
}

const NO_MANAGER: ServiceManager = {
  notifying: false,
  ready() {},
  stopping() {},
  startWatchdog: () => undefined,
};

/** STATUS= is one line; systemctl status shows it. */
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

export function serviceManager(env: NodeJS.ProcessEnv = process.env): ServiceManager {
  if (!env.NOTIFY_SOCKET) return NO_MANAGER;
  let addon: SdNotifyAddon;
  try {
    addon = createRequire(import.meta.url)('sd-notify') as SdNotifyAddon;
  } catch (err) {
    // Type=notify without a way to notify would hang the start until TimeoutStartSec: say why now.
    throw new Error(
      `NOTIFY_SOCKET is set (systemd Type=notify) but the sd-notify addon could not be loaded: ${(err as Error).message}. ` +
        'Build it with libsystemd-dev installed (npm ci), or run the unit as Type=simple.',
    );
  }
  const send = (state: string) => addon.sendState(state);
  return {
    notifying: true,
    ready: (status) => send(`READY=1\nSTATUS=${oneLine(status)}\nMAINPID=${process.pid}`),
    stopping: (status) => send(`STOPPING=1\nSTATUS=${oneLine(status)}`),
    startWatchdog() {
      const periodMs = addon.watchdogInterval();
      if (!(periodMs > 0)) return undefined;
      const everyMs = Math.max(1, Math.floor(periodMs / 2));
      const timer = setInterval(() => send('WATCHDOG=1'), everyMs);
      // The keep-alive must not be what keeps a stopping process alive.
      timer.unref();
      return { everyMs, stop: () => clearInterval(timer) };
    },
  };
}
