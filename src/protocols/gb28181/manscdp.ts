// MANSCDP (GB/T 28181 §A.2) XML bodies: charset detection and decoding (GB2312/GBK/GB18030 or
// UTF-8), parsing with fast-xml-parser, and building bodies back in the charset asked for.
import iconv from 'iconv-lite';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export type ManscdpRoot = 'Query' | 'Response' | 'Notify' | 'Control';
/** GB2312 is what 2016 devices declare; the 2022 edition names GB18030 (a superset: same bytes for GB2312 text). */
export type Charset = 'GB2312' | 'GB18030' | 'UTF-8';

/** An XML element as parsed: text, or children by name (repeated children as arrays), attributes as '@_name'. */
export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

export interface ManscdpMessage {
  root: ManscdpRoot;
  cmdType: string;
  sn: number;
  deviceId: string;
  /** Everything under the root element (CmdType, SN and DeviceID included). */
  body: XmlNode;
  /** The charset the bytes were decoded with, and what the sender declared. */
  charset: { used: 'utf-8' | 'gb18030'; declared?: string };
}

export type ManscdpDecodeResult = { ok: true; message: ManscdpMessage } | { ok: false; error: string };

const ROOTS: readonly ManscdpRoot[] = ['Query', 'Response', 'Notify', 'Control'];
const ARRAY_ELEMENTS = new Set(['Item']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Codes are 20 digits and SNs may have leading zeros: keep every value a string.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '', suppressEmptyNode: false });

function declaredCharset(body: Buffer, contentType?: string): string | undefined {
  const head = body.subarray(0, 200).toString('latin1');
  const fromXml = /<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
  const fromHeader = contentType ? /charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1] : undefined;
  return (fromXml ?? fromHeader)?.toLowerCase();
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

/**
 * The text of a MANSCDP body. Devices often declare one charset and send another (WVP's trackers
 * are full of both directions), so bytes that are valid UTF-8 are read as UTF-8 whatever the
 * declaration says — GBK text with Chinese in it is practically never valid UTF-8 — and anything
 * else as GB18030, the superset of GB2312 and GBK (rare characters outside GB2312 survive).
 */
export function decodeBodyText(body: Buffer, contentType?: string): { text: string; used: 'utf-8' | 'gb18030'; declared?: string } {
  const declared = declaredCharset(body, contentType);
  if (isUtf8(body)) return { text: body.toString('utf8'), used: 'utf-8', declared };
  return { text: iconv.decode(body, 'gb18030'), used: 'gb18030', declared };
}

function text(v: XmlValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return text(v[0]);
  if (v && typeof v === 'object' && typeof v['#text'] === 'string') return v['#text'];
  return undefined;
}

/** A child's text by name, case-insensitively (devices vary: DeviceID / DeviceId). */
export function field(node: XmlNode | undefined, name: string): string | undefined {
  if (!node) return undefined;
  if (name in node) return text(node[name]);
  const lower = name.toLowerCase();
  const key = Object.keys(node).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : text(node[key]);
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (!node) return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(node).find((k) => k.toLowerCase() === lower);
  const v = key === undefined ? undefined : node[key];
  if (Array.isArray(v)) return typeof v[0] === 'object' && !Array.isArray(v[0]) ? v[0] : undefined;
  return v && typeof v === 'object' ? (v as XmlNode) : undefined;
}

/** Children named `name` as a list (one or many). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (!node) return [];
  const lower = name.toLowerCase();
  const key = Object.keys(node).find((k) => k.toLowerCase() === lower);
  const v = key === undefined ? undefined : node[key];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((x): x is XmlNode => typeof x === 'object' && !Array.isArray(x));
}

export function decodeManscdp(body: Buffer, contentType?: string): ManscdpDecodeResult {
  if (body.length === 0) return { ok: false, error: 'empty MANSCDP body' };
  const { text: xml, used, declared } = decodeBodyText(body, contentType);
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (err) {
    return { ok: false, error: `MANSCDP body is not XML: ${(err as Error).message.split('\n')[0]}` };
  }
  const rootName = ROOTS.find((r) => r in doc) ?? Object.keys(doc).find((k) => ROOTS.some((r) => r.toLowerCase() === k.toLowerCase()));
  if (!rootName) return { ok: false, error: `MANSCDP root must be one of ${ROOTS.join('/')}` };
  const root = ROOTS.find((r) => r.toLowerCase() === rootName.toLowerCase())!;
  const node = doc[rootName];
  if (!node || typeof node !== 'object' || Array.isArray(node)) return { ok: false, error: `MANSCDP <${root}> is empty` };
  const cmdType = field(node, 'CmdType');
  if (!cmdType) return { ok: false, error: `MANSCDP <${root}> has no CmdType` };
  const snText = field(node, 'SN');
  const sn = snText !== undefined && /^\d{1,10}$/.test(snText) ? Number(snText) : NaN;
  if (!Number.isFinite(sn)) return { ok: false, error: `MANSCDP ${cmdType}: SN ${JSON.stringify(snText ?? null)} is not a number` };
  const deviceId = field(node, 'DeviceID');
  if (!deviceId) return { ok: false, error: `MANSCDP ${cmdType} has no DeviceID` };
  return { ok: true, message: { root, cmdType, sn, deviceId, body: node, charset: { used, declared } } };
}

/** Builds a body; CmdType, SN and DeviceID come first as the standard's examples have them. */
export function encodeManscdp(root: ManscdpRoot, head: { cmdType: string; sn: number; deviceId: string }, rest: XmlNode, charset: Charset = 'GB2312'): Buffer {
  const node: XmlNode = { CmdType: head.cmdType, SN: String(head.sn), DeviceID: head.deviceId, ...rest };
  const xml = `<?xml version="1.0" encoding="${charset}"?>\r\n${builder.build({ [root]: node }) as string}`;
  return charset === 'UTF-8' ? Buffer.from(xml, 'utf8') : iconv.encode(xml, 'gb18030');
}

export const MANSCDP_CONTENT_TYPE = 'Application/MANSCDP+xml';
