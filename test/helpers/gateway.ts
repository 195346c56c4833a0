// `vcgw run` as a child process, as systemd starts it in the field: for the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface GatewayChild {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** What the daemon printed on stderr so far (for failure messages). */
  stderr: () => string;
  /** Resolves with stderr once it matches `re`; rejects after `timeoutMs` or when the daemon exits. */
  untilStderr: (re: RegExp, timeoutMs: number) => Promise<string>;
}

export interface GatewayOptions {
  /** Added to this process's environment (e.g. NOTIFY_SOCKET, WATCHDOG_USEC). */
  env?: NodeJS.ProcessEnv;
  /** Node options before the script, e.g. ['--import', preload]. */
  nodeArgs?: string[];
}

export function runGateway(configFile: string, options: GatewayOptions = {}): GatewayChild {
  const args = ['--import', 'tsx', ...(options.nodeArgs ?? []), path.join(root, 'src/cli/bin.ts'), 'run', '--config', configFile];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const untilStderr = (re: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!re.test(err)) return;
        done();
        resolve(err);
      };
      const done = () => {
        clearTimeout(timer);
        child.stderr!.off('data', check);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`stderr did not match ${re} within ${timeoutMs} ms: ${err}`));
      }, timeoutMs);
      child.stderr!.on('data', check);
      void exited.then(() => {
        done();
        reject(new Error(`the daemon exited before stderr matched ${re}: ${err}`));
      });
      check();
    });
  return { child, exited, stderr: () => err, untilStderr };
}

/** A gateway killed with the test (SIGKILL: its FFmpeg children die with it, see the media e2e test). */
export function gatewayFor(t: { teardown(fn: () => unknown): void }, configFile: string, options?: GatewayOptions): GatewayChild {
  const gw = runGateway(configFile, options);
  t.teardown(async () => {
    gw.child.kill('SIGKILL');
    await gw.exited;
  });
  return gw;
}

/** True while `pid` exists (signal 0 only asks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
