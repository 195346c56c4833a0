// A minimal Chrome DevTools Protocol client for a Node child started with --inspect: forces a
// full GC and reads V8 heap usage, so memory figures compare collected heaps, not GC timing
// (an idle daemon's RSS drifts by tens of MB until V8 happens to collect).
import { WebSocket } from 'undici';

export interface Inspector {
  collectGarbage(): Promise<void>;
  /** V8 heap in use / allocated, bytes. */
  heapUsage(): Promise<{ usedSize: number; totalSize: number }>;
  close(): void;
}

/** The ws:// URL Node prints on stderr ("Debugger listening on ws://…"). */
export const INSPECTOR_URL = /Debugger listening on (ws:\/\/\S+)/;

export async function connectInspector(url: string, timeoutMs = 10_000): Promise<Inspector> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`inspector ${url}: no connection within ${timeoutMs} ms`)), timeoutMs);
    ws.addEventListener('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error(`inspector ${url}: connection failed`));
    });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(msg.error.message));
    else p?.resolve(msg.result);
  });
  const call = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`inspector: ${method} unanswered`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      ws.send(JSON.stringify({ id, method }));
    });
  return {
    collectGarbage: async () => {
      await call('HeapProfiler.collectGarbage');
    },
    heapUsage: async () => (await call('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number },
    close: () => ws.close(),
  };
}
