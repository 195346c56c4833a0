// A valid camera entry numbered `i` (record fields and local access), for simulations, tests and
// benchmarks: one definition, so a rule change in the record schema is fixed in one place.
import { cameraAccessShape } from '../config/schema/cameras.js';

/** Record + access fields as a `[[cameras]]` entry or `vcgw cameras add --json` takes them. */
export function sampleCameraEntry(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `cam-${i}`,
    department: '广东省高速公路有限公司京珠北分公司',
    cameraName: `G4京港澳高速K${1800 + i}+100`,
    longAndLati: '113.5975/24.8103',
    road: 'G4',
    roadName: '京港澳高速',
    roadSec: '京珠北段',
    classify: 0,
    poiName: '京港澳高速道路',
    cameraOrientation: 1,
    pileNum: `K${1800 + i}+100`,
    cameraType: 1,
    hasControl: 1,
    areaCode: 440232,
    pushType: 1,
    ip: '127.0.0.1',
    rtspMain: 'rtsp://127.0.0.1:9/main',
    ...extra,
  };
}

const ACCESS_KEYS: ReadonlySet<string> = new Set(['id', ...Object.keys(cameraAccessShape)]);

/** Only the fields sent to the province (cameraNum not included). */
export function sampleCameraRecordFields(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(sampleCameraEntry(i, extra)).filter(([k]) => !ACCESS_KEYS.has(k)));
}
