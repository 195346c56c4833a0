// Hand-written WS-Discovery (2005/04) prober: agsh/onvif's Discovery.probe can only target 239.255.255.250:3702.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';

export const WS_DISCOVERY_GROUP = '239.255.255.250';
export const WS_DISCOVERY_PORT = 3702;

export interface ProbeOptions {
  /** Unicast or multicast destination; default the WS-Discovery group. */
  address?: string;
  port?: number;
  /** How long to collect ProbeMatches. */
  timeoutMs: number;
  /** Local IPv4 address to send from (and the multicast interface). */
  interface?: string;
  /** Called as each new device answers, before the collection window ends. */
  onFound?: (cam: DiscoveredCamera) => void;
}

export interface DiscoveredCamera {
  /** First XAddr (the device service URL). */
  address: string;
  xaddrs: string[];
  scopes: string[];
  name?: string;
  hardware?: string;
  location?: string;
  /** Endpoint reference address, e.g. urn:uuid:…; unique per device. */
  endpoint: string;
}

type ParseCb = (err: Error | null, data: unknown) => void;
interface Xml2js {
  parseString(xml: string, opts: Record<string, unknown>, cb: ParseCb): void;
  processors: { stripPrefix: (name: string) => string };
}
// xml2js is what agsh/onvif parses with; it comes with that package.
const require = createRequire(import.meta.url);
const xml2js = require('xml2js') as Xml2js;

function probeXml(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header>' +
    `<a:MessageID>${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
  );
}

type Node = Record<string, unknown>;

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Node)['_'] === 'string') return (v as Node)['_'] as string;
  return '';
}

function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Node)[k];
  }
  return cur;
}

function parse(xml: string): Promise<unknown> {
  return new Promise((resolve) =>
    xml2js.parseString(xml, { explicitArray: false, tagNameProcessors: [xml2js.processors.stripPrefix] }, (err, data) => resolve(err ? undefined : data)),
  );
}

function scopeValue(scopes: string[], kind: string): string | undefined {
  const prefix = `onvif://www.onvif.org/${kind}/`;
  const s = scopes.find((x) => x.startsWith(prefix));
  if (s === undefined) return undefined;
  try {
    return decodeURIComponent(s.slice(prefix.length));
  } catch {
    return s.slice(prefix.length);
  }
}

/** The ProbeMatches of one answer to our probe (others, e.g. Hello or stray replies, give []). */
async function matchesOf(xml: string, messageId: string): Promise<DiscoveredCamera[]> {
  const env = at(await parse(xml), 'Envelope');
  if (text(at(env, 'Header', 'RelatesTo')).trim() !== messageId) return [];
  const raw = at(env, 'Body', 'ProbeMatches', 'ProbeMatch');
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: DiscoveredCamera[] = [];
  for (const m of list) {
    const split = (v: unknown): string[] => text(v).split(/\s+/).filter(Boolean);
    const xaddrs = split(at(m, 'XAddrs'));
    const scopes = split(at(m, 'Scopes'));
    const endpoint = text(at(m, 'EndpointReference', 'Address')).trim();
    if (xaddrs[0] === undefined || endpoint === '') continue;
    const cam: DiscoveredCamera = { address: xaddrs[0], xaddrs, scopes, endpoint };
    const name = scopeValue(scopes, 'name');
    const hardware = scopeValue(scopes, 'hardware');
    const location = scopeValue(scopes, 'location');
    if (name !== undefined) cam.name = name;
    if (hardware !== undefined) cam.hardware = hardware;
    if (location !== undefined) cam.location = location;
    out.push(cam);
  }
  return out;
}

/** Sends one Probe and collects distinct devices (by endpoint) answering within timeoutMs. */
export async function probe(o: ProbeOptions): Promise<DiscoveredCamera[]> {
  const address = o.address ?? WS_DISCOVERY_GROUP;
  const port = o.port ?? WS_DISCOVERY_PORT;
  const messageId = `urn:uuid:${crypto.randomUUID()}`;
  const sock = dgram.createSocket('udp4');
  const found = new Map<string, DiscoveredCamera>();
  const pending: Array<Promise<void>> = [];
  sock.on('message', (msg) => {
    pending.push(
      matchesOf(msg.toString('utf8'), messageId).then((ms) => {
        for (const m of ms) {
          if (found.has(m.endpoint)) continue;
          found.set(m.endpoint, m);
          o.onFound?.(m);
        }
      }),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, o.interface, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    sock.on('error', () => {}); // ICMP unreachable from a silent host must not end collection early
    const first = Number(address.split('.')[0]);
    if (first >= 224 && first <= 239 && o.interface !== undefined) sock.setMulticastInterface(o.interface);
    await new Promise<void>((resolve, reject) => sock.send(probeXml(messageId), port, address, (err) => (err ? reject(err) : resolve())));
    await new Promise((r) => setTimeout(r, o.timeoutMs));
    await Promise.all(pending);
  } finally {
    await new Promise<void>((r) => sock.close(() => r()));
  }
  return [...found.values()];
}
