// Hand-written WS-Discovery (2005/04, as ONVIF uses) Probe responder for the camera simulator.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { child, childText, escapeXml, parseXml } from './xml.js';

export const WS_DISCOVERY_GROUP = '239.255.255.250';
export const WS_DISCOVERY_PORT = 3702;

export interface DiscoveryScopes {
  name?: string;
  hardware?: string;
  location?: string;
  /** Further full scope URIs. */
  extra?: string[];
}

export interface DiscoveryResponderOptions {
  /** Device service URLs announced in XAddrs (the OnvifCamera url). */
  xaddrs: string[];
  scopes?: DiscoveryScopes;
  /** Endpoint reference UUID (without urn:uuid:); random by default. */
  uuid?: string;
  /** Default 3702. Tests pass 0 (any free port) and probe by unicast or multicast to that port. */
  port?: number;
  /** Address the socket binds; default '0.0.0.0' so multicast probes arrive too. */
  bindAddress?: string;
  /** Multicast group to join on the given interface, or false for unicast only. Default: 239.255.255.250 on 127.0.0.1. */
  multicast?: { group?: string; interface?: string } | false;
}

export interface DiscoveryProbe {
  at: number;
  from: { address: string; port: number };
  messageId: string;
  types: string[];
  scopes: string[];
  /** Whether a ProbeMatches was sent back. */
  matched: boolean;
}

export interface DiscoveryResponder {
  port: number;
  /** urn:uuid:… endpoint reference address. */
  endpoint: string;
  scopes: string[];
  /** Whether joining the multicast group succeeded (false also when not asked). */
  multicastJoined: boolean;
  probes(): DiscoveryProbe[];
  close(): Promise<void>;
}

const SCOPE_BASE = 'onvif://www.onvif.org/';

function scopeUris(s: DiscoveryScopes = {}): string[] {
  const enc = (v: string): string => encodeURIComponent(v);
  const out = [`${SCOPE_BASE}type/video_encoder`, `${SCOPE_BASE}Profile/Streaming`];
  if (s.name !== undefined) out.push(`${SCOPE_BASE}name/${enc(s.name)}`);
  if (s.hardware !== undefined) out.push(`${SCOPE_BASE}hardware/${enc(s.hardware)}`);
  if (s.location !== undefined) out.push(`${SCOPE_BASE}location/${enc(s.location)}`);
  return out.concat(s.extra ?? []);
}

/** WS-Discovery's default RFC 3986 rule, simplified: a requested scope matches a prefix of ours on a segment boundary. */
function scopeMatches(requested: string, ours: string[]): boolean {
  const r = requested.replace(/\/+$/, '');
  return ours.some((o) => o === r || o.startsWith(`${r}/`));
}

const MATCHED_TYPES = new Set(['NetworkVideoTransmitter', 'Device']);

function probeMatchesXml(p: { relatesTo: string; endpoint: string; scopes: string[]; xaddrs: string[]; seq: number }): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
    `xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">` +
    `<SOAP-ENV:Header><wsa:MessageID>urn:uuid:${crypto.randomUUID()}</wsa:MessageID><wsa:RelatesTo>${escapeXml(p.relatesTo)}</wsa:RelatesTo>` +
    `<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>` +
    `<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>` +
    `<d:AppSequence InstanceId="1" MessageNumber="${p.seq}"/></SOAP-ENV:Header>` +
    `<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>${p.endpoint}</wsa:Address></wsa:EndpointReference>` +
    `<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>${p.scopes.map(escapeXml).join(' ')}</d:Scopes>` +
    `<d:XAddrs>${p.xaddrs.map(escapeXml).join(' ')}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

export async function startDiscoveryResponder(opts: DiscoveryResponderOptions): Promise<DiscoveryResponder> {
  const endpoint = `urn:uuid:${opts.uuid ?? crypto.randomUUID()}`;
  const scopes = scopeUris(opts.scopes);
  const log: DiscoveryProbe[] = [];
  let seq = 0;
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (msg, rinfo) => {
    let env;
    try {
      env = parseXml(msg.toString('utf8'));
    } catch {
      return; // not ours to answer: a real camera ignores garbage on 3702
    }
    const probe = child(env, 'Body', 'Probe');
    if (!probe) return; // Hello/Bye/Resolve/ProbeMatches from other devices
    const localNames = (s: string | undefined): string[] => (s ?? '').split(/\s+/).filter(Boolean).map((q) => q.slice(q.indexOf(':') + 1));
    const types = localNames(childText(probe, 'Types'));
    const wanted = (childText(probe, 'Scopes') ?? '').split(/\s+/).filter(Boolean);
    const messageId = childText(env, 'Header', 'MessageID') ?? '';
    const matched = types.every((t) => MATCHED_TYPES.has(t)) && wanted.every((s) => scopeMatches(s, scopes));
    log.push({ at: Date.now(), from: { address: rinfo.address, port: rinfo.port }, messageId, types, scopes: wanted, matched });
    if (!matched) return;
    const reply = Buffer.from(probeMatchesXml({ relatesTo: messageId, endpoint, scopes, xaddrs: opts.xaddrs, seq: ++seq }));
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port ?? WS_DISCOVERY_PORT, opts.bindAddress ?? '0.0.0.0', () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.on('error', () => {}); // a send to a vanished prober must not crash the simulator
  let multicastJoined = false;
  if (opts.multicast !== false) {
    try {
      sock.addMembership(opts.multicast?.group ?? WS_DISCOVERY_GROUP, opts.multicast?.interface ?? '127.0.0.1');
      multicastJoined = true;
    } catch {
      multicastJoined = false; // hosts without multicast on the interface still answer unicast probes
    }
  }
  return {
    port: sock.address().port,
    endpoint,
    scopes,
    multicastJoined,
    probes: () => log.slice(),
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
