// Reads what an ONVIF camera offers (device, capabilities, media profiles, stream and snapshot
// URIs) and gives each video profile its role: the largest is the main stream, the smallest the
// sub-stream, one in between the third stream.
import type { OnvifDevice, OnvifProfileInfo } from '../../protocols/onvif/index.js';
import { OnvifError } from '../../protocols/onvif/index.js';
import type { OnvifFacts, OnvifStreamFacts } from '../../store/cameraOnvif.js';
import type { StreamRole } from '../../domain/camera.js';

const VIDEO_CODECS = new Set(['H264', 'H265', 'HEVC', 'MPEG4']);

/**
 * Roles by picture size rather than by profile name: names vary by vendor and language
 * ("mainStream", "Profile_1", "主码流"), the size is what decides the decoding cost.
 * Profiles sharing one encoder configuration are one stream.
 */
export function assignRoles(profiles: readonly OnvifProfileInfo[]): Map<string, StreamRole> {
  const seen = new Set<string>();
  const video = profiles.filter((p) => {
    if (!VIDEO_CODECS.has(p.encoding.toUpperCase()) || p.width <= 0 || p.height <= 0) return false;
    const key = p.encoderToken || p.token;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const bySize = [...video].sort((a, b) => b.width * b.height - a.width * a.height);
  const roles = new Map<string, StreamRole>();
  const main = bySize[0];
  if (!main) return roles;
  roles.set(main.token, 'main');
  const rest = bySize.slice(1).filter((p) => p.width * p.height < main.width * main.height);
  const sub = rest[rest.length - 1];
  if (sub) roles.set(sub.token, 'sub');
  const third = rest.length >= 2 ? rest[rest.length - 2] : undefined;
  if (third) roles.set(third.token, 'third');
  return roles;
}

/** Everything `cameras add --onvif` stores; stream URIs only for the profiles that have a role. */
export async function readOnvifFacts(dev: OnvifDevice): Promise<OnvifFacts> {
  const info = await dev.info();
  const mac = await dev.networkMac().catch(() => undefined);
  const caps = dev.capabilities();
  const profiles = await dev.profiles();
  const roles = assignRoles(profiles);
  const streams: OnvifStreamFacts[] = [];
  for (const p of profiles) {
    const role = roles.get(p.token);
    const streamUri = role ? await dev.streamUri(p.token) : undefined;
    // Many cameras answer GetSnapshotUri for one profile only, or not at all: not a reason to fail.
    const snapshotUri = role ? await dev.snapshotUri(p.token).catch((e: unknown) => (e instanceof OnvifError && e.kind !== 'timeout' ? undefined : Promise.reject(e))) : undefined;
    streams.push({ ...p, role, streamUri, snapshotUri });
  }
  return { ...info, mac, ptz: caps.ptz, imaging: caps.imaging, profiles: streams };
}
