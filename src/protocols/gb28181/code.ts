// 20-digit GB/T 28181 codes (2016 edition, Annex D; unchanged in layout in 2022):
//   centre 8 (province 2, city 2, district 2, grassroots unit 2) + industry 2 + type 3
//   + network 1 + serial 6.
// The cascade configures code segments as "10-digit area + 3-digit type + 7-digit serial": the
// same 20 digits grouped differently (area = centre + industry, serial = network + serial).

export interface GbCode {
  code: string;
  /** Digits 1–8. */
  centre: string;
  province: string;
  city: string;
  district: string;
  unit: string;
  /** Digits 9–10. */
  industry: string;
  /** Digits 11–13 as a number (131, 132, 200, 215, 216, …). */
  type: number;
  typeName: string;
  /** Digit 14. */
  network: number;
  /** Digits 15–20. */
  serial: string;
  /** The cascade's view: digits 1–10 and 14–20. */
  area10: string;
  serial7: string;
}

/** Type codes of Annex D table D.2 that this gateway meets; others fall in the ranges below. */
export const GB_TYPE_NAMES: Readonly<Record<number, string>> = {
  111: 'DVR',
  112: 'video server',
  113: 'encoder',
  114: 'decoder',
  115: 'video switching matrix',
  116: 'audio switching matrix',
  117: 'alarm controller',
  118: 'NVR',
  131: 'camera',
  132: 'IP camera',
  133: 'display',
  134: 'alarm input device',
  135: 'alarm output device',
  136: 'audio input device',
  137: 'audio output device',
  138: 'mobile transmission device',
  139: 'other peripheral',
  200: 'SIP server (central signalling control)',
  201: 'web application server',
  202: 'media distribution server',
  203: 'proxy server',
  204: 'security server',
  205: 'alarm server',
  206: 'database server',
  207: 'GIS server',
  208: 'management server',
  209: 'access gateway',
  210: 'media storage server',
  211: 'signalling security routing gateway',
  215: 'business group',
  216: 'virtual organization',
};

export type GbCodeKind = 'device' | 'peripheral' | 'platform' | 'group' | 'user' | 'other';

export function kindOfType(type: number): GbCodeKind {
  if (type >= 111 && type <= 130) return 'device';
  if (type >= 131 && type <= 199) return 'peripheral';
  if (type === 215 || type === 216) return 'group';
  if (type >= 200 && type <= 299) return 'platform';
  if (type >= 300 && type <= 499) return 'user';
  return 'other';
}

function typeName(type: number): string {
  const known = GB_TYPE_NAMES[type];
  if (known) return known;
  const kind = kindOfType(type);
  return kind === 'other' ? `extension type ${type}` : `${kind} type ${type}`;
}

// GB/T 2260 province-level prefixes.
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82',
]);

export interface GbCodeProblem {
  rule: 'length' | 'digits' | 'province' | 'type' | 'network';
  message: string;
}

/** Problems with a code, each naming the rule; empty when valid. `types` restricts the type code. */
export function checkGbCode(code: string, opts: { types?: readonly number[] } = {}): GbCodeProblem[] {
  if (code.length !== 20) return [{ rule: 'length', message: `${JSON.stringify(code)} has ${code.length} characters, a GB/T 28181 code has 20 digits` }];
  if (!/^\d{20}$/.test(code)) return [{ rule: 'digits', message: `${JSON.stringify(code)} contains a non-digit` }];
  const problems: GbCodeProblem[] = [];
  if (!PROVINCES.has(code.slice(0, 2))) {
    problems.push({ rule: 'province', message: `${code}: digits 1–2 (${code.slice(0, 2)}) are no GB/T 2260 province code` });
  }
  const type = Number(code.slice(10, 13));
  if (opts.types && !opts.types.includes(type)) {
    problems.push({ rule: 'type', message: `${code}: type ${type} (${typeName(type)}) where ${opts.types.join('/')} is expected` });
  }
  if (code[13] === '9') problems.push({ rule: 'network', message: `${code}: network digit 9 is reserved` });
  return problems;
}

/** The code's parts, or null when it is not 20 digits. */
export function parseGbCode(code: string): GbCode | null {
  if (!/^\d{20}$/.test(code)) return null;
  const type = Number(code.slice(10, 13));
  return {
    code,
    centre: code.slice(0, 8),
    province: code.slice(0, 2),
    city: code.slice(2, 4),
    district: code.slice(4, 6),
    unit: code.slice(6, 8),
    industry: code.slice(8, 10),
    type,
    typeName: typeName(type),
    network: Number(code[13]),
    serial: code.slice(14),
    area10: code.slice(0, 10),
    serial7: code.slice(13),
  };
}

/** A code from the cascade's segment view: 10-digit area + 3-digit type + 7-digit serial. */
export function composeGbCode(area10: string, type: number, serial7: number | string): string {
  const serial = typeof serial7 === 'number' ? String(serial7).padStart(7, '0') : serial7;
  if (!/^\d{10}$/.test(area10)) throw new Error(`area ${JSON.stringify(area10)} must be 10 digits`);
  if (!Number.isInteger(type) || type < 100 || type > 999) throw new Error(`type ${type} must be 3 digits`);
  if (!/^\d{7}$/.test(serial)) throw new Error(`serial ${JSON.stringify(serial)} must be at most 7 digits`);
  return `${area10}${type}${serial}`;
}
