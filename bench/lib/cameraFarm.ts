// Starts cameraFarmMain.ts as a child and hands back its camera URLs.
import path from 'node:path';
import { onLines, Ring, spawnChild, type Child } from './children.js';

export interface FarmCamera {
  main: string;
  sub: string;
  /** ONVIF device service (user admin, password admin123), on the farm's ONVIF camera only. */
  onvif?: string;
  /** The 720p third stream (load farm). */
  third?: string;
}

export interface CameraFarm {
  /** The farm's Node process (its CPU is the cameras' CPU). */
  pid: number;
  cameras: FarmCamera[];
  /** Same streams as the others, plus ONVIF: for camera-side encoding. */
  onvifCamera: FarmCamera;
  close(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `main`: the farm's entry point (cameraFarmMain.ts, or loadFarmMain.ts for ONVIF cameras with a third stream). */
export async function startCameraFarm(count: number, timeoutMs = 120_000, main = 'bench/lib/cameraFarmMain.ts'): Promise<CameraFarm> {
  const proc: Child = spawnChild(process.execPath, ['--import', 'tsx', path.join(ROOT, main), String(count)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const ring = new Ring();
  onLines(proc.child.stderr, (l) => ring.push(l));
  const { cameras, onvifCamera } = await new Promise<{ cameras: FarmCamera[]; onvifCamera: FarmCamera }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`camera farm: no URLs within ${timeoutMs} ms — ${ring.tail()}`)), timeoutMs);
    onLines(proc.child.stdout, (line) => {
      try {
        const msg = JSON.parse(line) as { cameras?: FarmCamera[]; onvifCamera?: FarmCamera };
        if (msg.cameras && msg.onvifCamera) {
          clearTimeout(timer);
          resolve({ cameras: msg.cameras, onvifCamera: msg.onvifCamera });
        }
      } catch {
        // not ours
      }
    });
    void proc.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`camera farm exited early — ${ring.tail()}`));
    });
  }).catch(async (err: unknown) => {
    await proc.kill(0);
    throw err;
  });
  return {
    pid: proc.pid,
    cameras,
    onvifCamera,
    close: async () => {
      // Closing stdin is the polite stop; the group kill is the bound.
      proc.child.stdin?.end();
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 3000))]);
      await proc.kill(1000);
    },
  };
}
