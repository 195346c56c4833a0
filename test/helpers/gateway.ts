// `vcgw run` as a child process, as systemd starts it in the field: for the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface GatewayChild {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** What the daemon printed on stderr so far (for failure messages). */
  stderr: () => string;
}

export function runGateway(configFile: string): GatewayChild {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/bin.ts'), 'run', '--config', configFile], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

/** A gateway killed with the test (SIGKILL: its FFmpeg children die with it, see the media e2e test). */
export function gatewayFor(t: { teardown(fn: () => unknown): void }, configFile: string): GatewayChild {
  const gw = runGateway(configFile);
  t.teardown(async () => {
    gw.child.kill('SIGKILL');
    await gw.exited;
  });
  return gw;
}
