// Real reachability probes (CONTRACT §4 NetworkCheck: a TCP connect, never cached state).
import net from 'node:net';
import type { StoredCamera } from '../../store/cameras.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ProbeResult {
  cameraNum: string;
  status: 0 | 1;
  /** For people (camera state, logs); the province's NetworkCheck answer carries only the status. */
  reason: string;
}

export const NO_ADDRESS = 'no address configured (ip, onvifUrl or rtspMain)';

const RTSP_PORT = 554;

function fromUrl(raw: string, defaultPort: (protocol: string) => number): Endpoint | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return undefined;
  return { host, port: url.port ? Number(url.port) : defaultPort(url.protocol) };
}

/** Where a camera answers: its main RTSP URL, else its ONVIF service, else its IP on the RTSP port. */
export function cameraEndpoint(camera: Pick<StoredCamera, 'access'>): Endpoint | undefined {
  const { rtspMain, onvifUrl, ip } = camera.access;
  if (rtspMain) {
    const ep = fromUrl(rtspMain, (p) => (p === 'rtsps:' ? 322 : RTSP_PORT));
    if (ep) return ep;
  }
  if (onvifUrl) {
    const ep = fromUrl(onvifUrl, (p) => (p === 'https:' ? 443 : 80));
    if (ep) return ep;
  }
  if (ip) return { host: ip, port: RTSP_PORT };
  return undefined;
}

/** Resolves true when a TCP connection to `ep` opens within `timeoutMs` (name lookup included). */
export function tcpReachable(ep: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ep.host, port: ep.port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The state of a camera reached another way than by a TCP port (GB/T 28181: its device's
 * keep-alives and the channel's status), or undefined for a camera to probe over TCP.
 */
export type StateProbe = (camera: StoredCamera) => ProbeResult | undefined;

/** Probes every camera, `concurrency` at a time; results in the order of `cameras`. */
export async function probeCameras(
  cameras: readonly StoredCamera[],
  timeoutMs: number,
  concurrency = 64,
  stateOf?: StateProbe,
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array<ProbeResult>(cameras.length);
  let next = 0;
  const worker = async () => {
    while (next < cameras.length) {
      const i = next++;
      const camera = cameras[i]!;
      const known = stateOf?.(camera);
      if (known) {
        results[i] = known;
        continue;
      }
      const ep = cameraEndpoint(camera);
      const cameraNum = camera.record.cameraNum;
      if (!ep) results[i] = { cameraNum, status: 0, reason: NO_ADDRESS };
      else if (await tcpReachable(ep, timeoutMs)) results[i] = { cameraNum, status: 1, reason: 'reachable' };
      else results[i] = { cameraNum, status: 0, reason: `no TCP answer from ${ep.host}:${ep.port}` };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, cameras.length)) }, worker));
  return results;
}
