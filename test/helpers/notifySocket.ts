// A stand-in for systemd's notify socket: a unix datagram listener (python3 receives, since Node
// cannot) that hands every sd_notify message to the test with the time it arrived.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export interface NotifyMessage {
  /** performance.now() when the message reached the test. */
  at: number;
  /** KEY=VALUE lines of the datagram. */
  fields: Record<string, string>;
}

export interface NotifySocket {
  path: string;
  messages: NotifyMessage[];
  /** Resolves with the first message (at index ≥ from) that has KEY=VALUE; rejects after timeoutMs. */
  next(key: string, value: string | undefined, timeoutMs: number, from?: number): Promise<NotifyMessage>;
  close(): void;
}

const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

/** Listens in a fresh directory under the system temp dir (a socket path must stay under 108 bytes). */
export async function listenNotifySocket(): Promise<NotifySocket> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-notify-'));
  const socketPath = path.join(dir, 'notify.sock');
  const py = spawn('python3', ['-c', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: NotifyMessage[] = [];
  const waiters = new Set<() => void>();
  const lines = readline.createInterface({ input: py.stdout! });
  await new Promise<void>((resolve, reject) => {
    py.once('error', reject);
    py.once('exit', (code) => reject(new Error(`the notify receiver exited (${code})`)));
    lines.once('line', () => resolve());
  });
  lines.on('line', (line) => {
    const fields: Record<string, string> = {};
    for (const kv of (JSON.parse(line) as string).split('\n')) {
      const eq = kv.indexOf('=');
      if (eq > 0) fields[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    messages.push({ at: performance.now(), fields });
    for (const w of [...waiters]) w();
  });
  const next = (key: string, value: string | undefined, timeoutMs: number, from = 0) =>
    new Promise<NotifyMessage>((resolve, reject) => {
      const check = () => {
        const found = messages.slice(from).find((m) => key in m.fields && (value === undefined || m.fields[key] === value));
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${key}${value === undefined ? '' : `=${value}`} within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.fields))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    path: socketPath,
    messages,
    next,
    close: () => {
      py.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
