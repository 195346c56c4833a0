// SDP as GB/T 28181 uses it for media (§9.2, Annex F/G): s=Play|Playback|Download|Talk, one
// m=video line with PS (96) and the codecs' payload types, RTP/AVP over UDP or TCP/RTP/AVP with
// RFC 4145 setup/connection, the y= SSRC line and the f= media-description line.

export type MediaTransport = 'udp' | 'tcp-active' | 'tcp-passive';
export type SessionName = 'Play' | 'Playback' | 'Download' | 'Talk';

export interface RtpMap {
  pt: number;
  encoding: string;
  clock: number;
}

export interface GbSdp {
  /** o= username: the SIP id of the sender of this SDP. */
  username: string;
  sessionId: string;
  sessionName: SessionName | string;
  address: string;
  port: number;
  /** From the offerer's view: tcp-active = this side connects, tcp-passive = it listens. */
  transport: MediaTransport;
  direction: 'recvonly' | 'sendonly' | 'sendrecv';
  rtpmaps: RtpMap[];
  /** y=: 10 digits. */
  ssrc?: string;
  /** f= as written (empty fields allowed). */
  f?: string;
  /** u= "channelId:0" for Playback/Download. */
  uri?: string;
  /** t= start and stop (NTP-style seconds for Playback; 0 0 for Play). */
  time: [number, number];
  /** a=downloadspeed for Download. */
  downloadSpeed?: number;
}

export const GB_RTPMAPS: readonly RtpMap[] = [
  { pt: 96, encoding: 'PS', clock: 90000 },
  { pt: 98, encoding: 'H264', clock: 90000 },
  { pt: 97, encoding: 'MPEG4', clock: 90000 },
];

export function buildSdp(s: GbSdp): string {
  const proto = s.transport === 'udp' ? 'RTP/AVP' : 'TCP/RTP/AVP';
  const lines = [
    'v=0',
    `o=${s.username} ${s.sessionId} 0 IN IP4 ${s.address}`,
    `s=${s.sessionName}`,
    ...(s.uri ? [`u=${s.uri}`] : []),
    `c=IN IP4 ${s.address}`,
    `t=${s.time[0]} ${s.time[1]}`,
    `m=video ${s.port} ${proto} ${s.rtpmaps.map((r) => r.pt).join(' ')}`,
    `a=${s.direction}`,
    ...s.rtpmaps.map((r) => `a=rtpmap:${r.pt} ${r.encoding}/${r.clock}`),
  ];
  if (s.transport !== 'udp') {
    lines.push(`a=setup:${s.transport === 'tcp-active' ? 'active' : 'passive'}`, 'a=connection:new');
  }
  if (s.downloadSpeed !== undefined) lines.push(`a=downloadspeed:${s.downloadSpeed}`);
  if (s.ssrc !== undefined) lines.push(`y=${s.ssrc}`);
  if (s.f !== undefined) lines.push(`f=${s.f}`);
  return lines.join('\r\n') + '\r\n';
}

export type SdpParseResult = { ok: true; sdp: GbSdp } | { ok: false; error: string };

/** Reads an offer or answer; errors name the line. Only the first m=video is considered. */
export function parseSdp(text: string): SdpParseResult {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  let username = '';
  let sessionId = '';
  let sessionName = '';
  let address = '';
  let port = -1;
  let proto = '';
  let direction: GbSdp['direction'] = 'sendrecv';
  let setup: string | undefined;
  let uri: string | undefined;
  let ssrc: string | undefined;
  let f: string | undefined;
  let time: [number, number] = [0, 0];
  let downloadSpeed: number | undefined;
  const rtpmaps: RtpMap[] = [];
  let pts: number[] = [];
  let inVideo = false;
  let seenMedia = false;
  for (const line of lines) {
    const type = line[0];
    const value = line.slice(2);
    if (line[1] !== '=') return { ok: false, error: `SDP line ${JSON.stringify(line.slice(0, 40))} is not type=value` };
    switch (type) {
      case 'o': {
        const p = value.split(/\s+/);
        if (p.length < 6) return { ok: false, error: 'SDP o= line needs 6 fields' };
        username = p[0]!;
        sessionId = p[1]!;
        if (!address) address = p[5]!;
        break;
      }
      case 's':
        sessionName = value;
        break;
      case 'u':
        uri = value;
        break;
      case 'c': {
        const m = /^IN\s+IP[46]\s+(\S+)/.exec(value);
        if (!m) return { ok: false, error: `SDP c= line ${JSON.stringify(value)} is not IN IP4 address` };
        if (!seenMedia || inVideo) address = m[1]!;
        break;
      }
      case 't': {
        const m = /^(\d+)\s+(\d+)$/.exec(value);
        if (!m) return { ok: false, error: `SDP t= line ${JSON.stringify(value)} needs two numbers` };
        time = [Number(m[1]), Number(m[2])];
        break;
      }
      case 'm': {
        seenMedia = true;
        const m = /^(\w+)\s+(\d+)(?:\/\d+)?\s+(\S+)\s*(.*)$/.exec(value);
        if (!m) return { ok: false, error: `SDP m= line ${JSON.stringify(value)} is malformed` };
        inVideo = m[1] === 'video' && port < 0;
        if (inVideo) {
          port = Number(m[2]);
          proto = m[3]!.toUpperCase();
          pts = m[4]!.split(/\s+/).filter(Boolean).map(Number);
        }
        break;
      }
      case 'a': {
        if (!inVideo && seenMedia) break;
        const [name, ...restParts] = value.split(':');
        const rest = restParts.join(':');
        if (name === 'recvonly' || name === 'sendonly' || name === 'sendrecv') direction = name;
        else if (name === 'setup') setup = rest.trim().toLowerCase();
        else if (name === 'downloadspeed') downloadSpeed = Number(rest);
        else if (name === 'rtpmap') {
          const m = /^(\d+)\s+([\w.-]+)\/(\d+)/.exec(rest);
          if (m) rtpmaps.push({ pt: Number(m[1]), encoding: m[2]!, clock: Number(m[3]) });
        }
        break;
      }
      case 'y':
        ssrc = value.trim();
        if (!/^\d{1,10}$/.test(ssrc)) return { ok: false, error: `SDP y= ${JSON.stringify(ssrc)} is not a decimal SSRC of up to 10 digits` };
        break;
      case 'f':
        f = value;
        break;
      default:
        break;
    }
  }
  if (port < 0) return { ok: false, error: 'SDP has no m=video line' };
  if (port > 65535) return { ok: false, error: `SDP m=video port ${port} is out of range` };
  if (!address) return { ok: false, error: 'SDP has no c= or o= address' };
  let transport: MediaTransport;
  if (proto === 'RTP/AVP') transport = 'udp';
  else if (proto === 'TCP/RTP/AVP') transport = setup === 'active' ? 'tcp-active' : 'tcp-passive';
  else return { ok: false, error: `SDP m=video protocol ${proto} is neither RTP/AVP nor TCP/RTP/AVP` };
  // rtpmap lines for payload types not on the m= line are ignored.
  const maps = rtpmaps.filter((r) => pts.includes(r.pt));
  return {
    ok: true,
    sdp: { username, sessionId, sessionName, address, port, transport, direction, rtpmaps: maps, ssrc, f, uri, time, downloadSpeed },
  };
}

/**
 * The y= SSRC (GB/T 28181 §9.2.2 / Annex): 1 digit history flag (0 live, 1 playback/download),
 * then digits 4–8 of the SIP domain id, then 4 digits of stream serial.
 */
export function makeSsrc(history: boolean, domain: string, serial: number): string {
  if (!/^\d{10}(\d{10})?$/.test(domain)) throw new Error(`SIP domain ${JSON.stringify(domain)} must be 10 (or 20) digits`);
  if (!Number.isInteger(serial) || serial < 0 || serial > 9999) throw new Error(`SSRC serial ${serial} must be 0–9999`);
  return `${history ? 1 : 0}${domain.slice(3, 8)}${String(serial).padStart(4, '0')}`;
}

/** The 32-bit number the RTP header carries for a y= value. */
export function ssrcNumber(y: string): number {
  return Number(y) >>> 0;
}

export interface FLine {
  video?: { codec?: number; resolution?: number; frameRate?: number; rateType?: number; bitrateKbps?: number };
  audio?: { codec?: number; bitrateKbps?: number; sampleRate?: number };
}

/**
 * The f= line: `v/codec/resolution/framerate/ratetype/bitrate` then `a/codec/bitrate/samplerate`.
 * Video codecs: 1 MPEG-4, 2 H.264, 3 SVAC, 4 3GP (2016); the 2022 edition adds 5 H.265 (and
 * SVAC2). Resolutions: 1 QCIF, 2 CIF, 3 4CIF, 4 D1, 5 720P, 6 1080P/I. Empty fields allowed.
 */
export function parseFLine(f: string): FLine {
  const out: FLine = {};
  const n = (s: string | undefined) => (s === undefined || s === '' || !/^\d+$/.test(s) ? undefined : Number(s));
  const m = /^v\/([^a]*)(?:a\/(.*))?$/.exec(f.trim());
  if (!m) return out;
  const v = m[1]!.split('/');
  out.video = { codec: n(v[0]), resolution: n(v[1]), frameRate: n(v[2]), rateType: n(v[3]), bitrateKbps: n(v[4]) };
  if (m[2] !== undefined) {
    const a = m[2].split('/');
    out.audio = { codec: n(a[0]), bitrateKbps: n(a[1]), sampleRate: n(a[2]) };
  }
  return out;
}

export function formatFLine(f: FLine): string {
  const s = (x: number | undefined) => (x === undefined ? '' : String(x));
  const v = f.video ? `v/${s(f.video.codec)}/${s(f.video.resolution)}/${s(f.video.frameRate)}/${s(f.video.rateType)}/${s(f.video.bitrateKbps)}` : 'v/////';
  const a = f.audio ? `a/${s(f.audio.codec)}/${s(f.audio.bitrateKbps)}/${s(f.audio.sampleRate)}` : 'a///';
  return v + a;
}
