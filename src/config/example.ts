// Renders the commented gateway.example.toml from the schema, so the example can never drift
// from what the daemon accepts (test/config/config.test.ts compares them).
import { stringify } from 'smol-toml';
import { z } from 'zod';
import { configSchema } from './schema/index.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  example?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

/** Sample values for the keys that have neither a default nor an example in the schema. */
const SAMPLES: Record<string, unknown> = {
  'province.backup_base_urls': ['https://10.1.2.1:443'],
  'province.sm2_private_key': '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  'province.sm2_private_key_file': '/etc/vcgw/sm2-private.pem',
  'province.ca_file': '/etc/vcgw/province-ca.pem',
  'province.client_cert_file': '/etc/vcgw/client.crt',
  'province.client_key_file': '/etc/vcgw/client.key',
  'api.tls_cert_file': '/etc/vcgw/server.crt',
  'api.tls_key_file': '/etc/vcgw/server.key',
  'api.client_ca_file': '/etc/vcgw/province-client-ca.pem',
  'media.ffmpeg_path': '/usr/bin/ffmpeg',
  'media.ffprobe_path': '/usr/bin/ffprobe',
  'time.servers': ['10.1.1.10'],
  'time.serve': ['192.168.10.0/24'],
  'monitor.device_map': { 'det-07': 'aef89ecc-4cc6-4a6d-80fd-283196105b0b' },
};

/**
 * The example's stand-ins for secrets issued with the gateway: a box still running with them was
 * never set up (`vcgw doctor` refuses them).
 */
export const PLACEHOLDERS = {
  sm2PrivateKey: SAMPLES['province.sm2_private_key'] as string,
  token: (configSchema.shape.province.shape.token.meta() as { example: string }).example,
} as const;

/**
 * Optional in the schema but shown uncommented: one of a pair is needed (so the example validates),
 * and the overlay facts without which the example camera cannot show a compliant overlay.
 */
const SHOWN = new Set(['province.sm2_private_key', 'cameras.travelDirection', 'cameras.destination']);

export const EXAMPLE_CAMERA: Record<string, unknown> = {
  id: 'K1844+158-up',
  department: '广东省高速公路有限公司京珠北分公司',
  cameraName: 'G4（京港澳高速）京珠北路段广东省韶关市K1844+158（上行）（路面）',
  cameraNameSuffix: '粤北主广场出口摄像机',
  longAndLati: '113.597500/24.810300',
  road: 'G4',
  roadName: '京港澳高速',
  roadSec: '京珠北段',
  classify: 0,
  poiName: '京港澳高速道路',
  cameraOrientation: 1,
  pileNum: 'K1844+158',
  cameraType: 2,
  hasControl: 1,
  areaCode: 440201,
  pushType: 1,
  others: '',
  cameraNum: 'aef89ecc-4cc6-4a6d-80fd-283196105b0b',
  ip: '10.20.1.15',
  onvifUrl: 'http://10.20.1.15/onvif/device_service',
  onvifUser: 'admin',
  onvifPassword: 'change-me',
  rtspMain: 'rtsp://10.20.1.15:554/Streaming/Channels/101',
  rtspSub: 'rtsp://10.20.1.15:554/Streaming/Channels/102',
  rtspThird: 'rtsp://10.20.1.15:554/Streaming/Channels/103',
  encoder: 'camera',
  lowStream: 'sub',
  highStream: 'third',
  gbDeviceId: '44020000001320000001',
  gbChannelId: '44020000001320000001',
  overlayText: 'G4 K1844+158 上行',
};

function line(key: string, value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    // An inline table keeps the key on its own line inside its section.
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} = ${stringify({ v }).trim().slice(4)}`);
    return `${key} = { ${entries.join(', ')} }`;
  }
  return stringify({ [key]: value }).trim();
}

function describe(s: JsonSchema, required: boolean): string {
  const bits = [s.description ?? ''];
  if (s.enum) bits.push(`one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  const bounded = (n: number | undefined) => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if (bounded(s.minimum) || bounded(s.maximum)) bits.push(`range ${s.minimum ?? '…'}–${s.maximum ?? '…'}`);
  if (required) bits.push('required');
  return bits.filter(Boolean).join('; ');
}

function renderKeys(obj: JsonSchema, prefix: string, sampleOf: (key: string) => unknown): string[] {
  const out: string[] = [];
  const required = new Set(obj.required ?? []);
  // A key without a value to show would be printed as an empty '# ' line, its name lost.
  const sample = (key: string, s: JsonSchema): unknown => {
    const v = sampleOf(key) ?? s.example ?? s.enum?.[0];
    if (v === undefined && s.default === undefined) {
      throw new Error(`${prefix}.${key} has no default, example or sample value: give it .meta({ example }) in the schema`);
    }
    return v;
  };
  for (const [key, s] of Object.entries(obj.properties ?? {})) {
    const isRequired = required.has(key) && s.default === undefined;
    out.push(`# ${describe(s, isRequired)}`);
    if (isRequired || SHOWN.has(`${prefix}.${key}`)) out.push(line(key, sample(key, s)));
    else {
      const emptyDefault = typeof s.default === 'object' && s.default !== null && Object.keys(s.default).length === 0 && SAMPLES[`${prefix}.${key}`] !== undefined;
      out.push(`# ${line(key, s.default !== undefined && !emptyDefault ? s.default : (sample(key, s) ?? s.default))}`);
    }
  }
  return out;
}

export function renderExampleConfig(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out = [
    '# vcgw configuration (TOML). Generated from src/config/schema/ by `npm run gen:example`: edit the schema, not this file.',
    '# Keys shown commented out are optional and carry their default (or a sample value).',
    '# Relative file paths are taken from the directory of this file.',
  ];
  for (const [section, s] of Object.entries(schema.properties ?? {})) {
    if (section === 'cameras') continue;
    if (s.items?.properties) {
      // An array of tables ([[cascade]]): one commented-out entry, so that none exists by default.
      out.push('', `# ── ${s.description ?? section}`, `# [[${section}]]`);
      out.push(...renderKeys(s.items, section, (key) => SAMPLES[`${section}.${key}`]).map((l) => (l.startsWith('# ') ? l : `# ${l}`)));
      continue;
    }
    out.push('', `# ── ${s.description ?? section}`, `[${section}]`);
    out.push(...renderKeys(s, section, (key) => SAMPLES[`${section}.${key}`]));
  }
  const cameras = schema.properties?.['cameras']?.items;
  if (cameras) {
    out.push(
      '',
      `# ── ${cameras.description ?? 'cameras'}`,
      '# One [[cameras]] table per camera. Field names are the province\'s own (Appendix E / G), so the',
      '# config, `vcgw cameras import` CSV headers and the platform form use the same words.',
      '[[cameras]]',
    );
    out.push(...renderKeys(cameras, 'cameras', (key) => EXAMPLE_CAMERA[key]));
  }
  return `${out.join('\n')}\n`;
}
