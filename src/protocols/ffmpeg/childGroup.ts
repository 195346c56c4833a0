// Child processes in their own process group that die with the daemon (setpriv --pdeathsig):
// short-lived ffprobe/nginx children that are not worth a Supervisor.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}


const DEATH_SIGNAL_HELPER = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => isExecutable(f));

/**
 * Spawns `command` detached in its own process group; with setpriv it also gets SIGKILL when this
 * process dies, so a crashed test leaves no nginx or ffmpeg behind.
 */
export function spawnInOwnGroup(
  command: string,
  args: readonly string[],
  options: { stdio: Array<'ignore' | 'pipe'> },
): { child: ChildProcess; exited: Promise<void> } {
  const argv = DEATH_SIGNAL_HELPER ? ['--pdeathsig', 'SIGKILL', '--', command, ...args] : [...args];
  const child = spawn(DEATH_SIGNAL_HELPER ?? command, argv, { detached: true, stdio: options.stdio });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  for (const s of [child.stdin, child.stdout, child.stderr]) s?.on('error', () => undefined);
  return { child, exited };
}

/** SIGTERM to the group, SIGKILL after graceMs (0 = at once); resolves when the leader has exited. */
export async function killGroup(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // ESRCH: the group is gone already
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    if (graceMs > 0) {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    } else {
      signalGroup('SIGKILL');
      await exited;
    }
  }
  // Anything the leader left in its group goes too.
  signalGroup('SIGKILL');
}

/** True while any process of the group `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

