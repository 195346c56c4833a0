// A valid camera entry numbered `i` (record fields and local access), for simulations, tests and
// benchmarks. Its record is the documented example camera's (config/example.ts), renumbered: one
// sample record, so a rule change in the record schema is fixed in one place.
import { EXAMPLE_CAMERA } from '../config/example.js';
import { cameraAccessShape } from '../config/schema/cameras.js';

const ACCESS_KEYS: ReadonlySet<string> = new Set(['id', ...Object.keys(cameraAccessShape)]);

/** The example's record fields without its pinned registration and free-text extras. */
const EXAMPLE_RECORD = Object.fromEntries(
  Object.entries(EXAMPLE_CAMERA).filter(([k]) => !ACCESS_KEYS.has(k) && !['cameraNum', 'cameraNameSuffix', 'others'].includes(k)),
);

/** Record + access fields as a `[[cameras]]` entry or `vcgw cameras add --json` takes them. */
export function sampleCameraEntry(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `cam-${i}`,
    ...EXAMPLE_RECORD,
    cameraName: `G4京港澳高速K${1800 + i}+100`,
    pileNum: `K${1800 + i}+100`,
    ip: '127.0.0.1',
    rtspMain: 'rtsp://127.0.0.1:9/main',
    ...extra,
  };
}

/** Only the fields sent to the province (cameraNum not included). */
export function sampleCameraRecordFields(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(sampleCameraEntry(i, extra)).filter(([k]) => !ACCESS_KEYS.has(k)));
}
