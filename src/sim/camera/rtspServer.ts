// Hand-written RTSP 1.0 server (RFC 2326) for simulated cameras; the npm RTSP servers are
// unmaintained or relay-only. Sessions and method handling; the replay itself is in
// replayStream.ts, message framing in rtspMessage.ts, Digest authentication in digest.ts.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { silentLogger } from '../../log.js';
import { validateClipSpec, type ClipSpec } from './clips.js';
import { DigestAuth } from './digest.js';
import { loadReplayClip, ReplayClient, ReplayStream, type MediaLink } from './replayStream.js';
import { readIncoming, requestSessionId, serialiseResponse, type RtspRequest, type RtspResponse } from './rtspMessage.js';
import { renderSdp } from './sdp.js';

export interface RtspCameraStreamOptions {
  /** e.g. 'main', 'sub', 'Streaming/Channels/101'; a leading or trailing `/` is ignored. */
  path: string;
  clip: ClipSpec;
}

export interface RtspCameraOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  streams: RtspCameraStreamOptions[];
  /** With `password`: Digest authentication on DESCRIBE, SETUP and PLAY. Defaults to 'admin'. */
  user?: string;
  password?: string;
  ffmpegPath?: string;
  /** Where clips are cached (see ensureClip). */
  cacheDir?: string;
  /** Announced as `Session: id;timeout=N`; a session without a request or RTCP for that long is closed. */
  sessionTimeoutS?: number;
  /** A client whose socket holds more unsent bytes than this is dropped, as a camera would. */
  maxBufferedBytes?: number;
  log?: Logger;
}

export interface RtspStreamStats {
  path: string;
  /** Sessions set up and not yet torn down, timed out or disconnected. */
  sessionsActive: number;
  sessionsTotal: number;
  /** Sessions in the PLAY state (including those still waiting for the next key frame). */
  playing: number;
}

export interface RtspCamera {
  host: string;
  port: number;
  /** rtsp://[user:pass@]host:port/path */
  url(path: string, withCredentials?: boolean): string;
  stats(): RtspStreamStats[];
  /** Closes every client connection, like a camera reboot, and keeps listening. */
  dropSessions(): void;
  /** Every stream sends nothing for `ms` while connections stay open (a hung encoder), then resumes at a key frame. */
  mute(ms: number): void;
  /**
   * Re-"encodes" one stream, as a camera does when its encoder is reconfigured: loads `clip`
   * (encoding it first when not cached), then swaps the replay and ends that path's sessions;
   * clients reconnect and get the new stream. Other paths are untouched. Rejects (and keeps the
   * old clip) on an unknown path, an invalid spec or a failed encode.
   */
  setClip(path: string, clip: ClipSpec): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_SESSION_TIMEOUT_S = 60;
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const PUBLIC_METHODS = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER';
const TRACK_SUFFIX = /\/trackID=(\d+)$/;

/** One stream path: its replay and the sessions set up on it. */
interface Mount {
  path: string;
  replay: ReplayStream;
  sessions: Set<Session>;
  sessionsTotal: number;
  /** Bumped by each setClip call, so that of two overlapping calls the later one wins. */
  clipGeneration: number;
}

// ---------------------------------------------------------------- sessions and connections

class Session {
  readonly id = randomBytes(8).toString('hex').toUpperCase();
  readonly media: ReplayClient;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    readonly mount: Mount,
    readonly conn: Connection,
    channel: number,
    readonly trackUrl: string,
  ) {
    this.media = new ReplayClient(mount.replay, conn, channel);
  }

  armTimeout(ms: number, onExpire: () => void): void {
    this.expiry = setTimeout(onExpire, ms);
  }

  touch(): void {
    this.expiry?.refresh();
  }

  dispose(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = undefined;
  }
}

class Connection implements MediaLink {
  readonly sessions = new Set<Session>();
  private input: Buffer = Buffer.alloc(0);
  closed = false;

  constructor(
    readonly socket: net.Socket,
    private readonly server: CameraServer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  respond(cseq: string | undefined, res: RtspResponse): void {
    if (this.closed) return;
    this.socket.write(serialiseResponse(cseq, res));
    if (res.close) {
      this.markClosed();
      this.socket.end();
      // end() alone waits for the peer; a peer that never reads must not pin the socket.
      setTimeout(() => this.socket.destroy(), 2000).unref();
    }
  }

  close(): void {
    this.markClosed();
    this.socket.destroy();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.connectionClosed(this);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    try {
      while (!this.closed && this.input.length > 0) {
        const used = this.consumeOne();
        if (used === 0) break;
        this.input = this.input.subarray(used);
      }
    } catch (err) {
      // A bug here must cost one client, never the process.
      this.server.log.error({ err }, 'rtsp camera: request handling failed');
      this.respond(undefined, { status: 500, close: true });
    }
  }

  /** Handles one interleaved frame or request at the head of the input; returns the bytes used, 0 = need more. */
  private consumeOne(): number {
    const msg = readIncoming(this.input);
    switch (msg.type) {
      case 'incomplete':
        return 0;
      case 'interleaved':
        // RFC 2326 §10.12: clients send RTCP receiver reports interleaved; they count as liveness.
        for (const s of this.sessions) s.touch();
        return msg.size;
      case 'invalid':
        this.respond(msg.cseq, { status: msg.status, close: true });
        return 0;
      case 'request':
        this.respond(msg.request.cseq, this.server.handle(this, msg.request));
        return msg.size;
    }
  }
}

// ---------------------------------------------------------------- the server

interface ServerConfig {
  /** The address in the SDP origin line. */
  host: string;
  sessionTimeoutS: number;
  auth: DigestAuth | undefined;
  log: Logger;
}

class CameraServer {
  readonly mounts = new Map<string, Mount>();
  readonly log: Logger;
  private readonly connections = new Set<Connection>();
  private readonly sessions = new Map<string, Session>();
  private readonly sessionTimeoutMs: number;
  /** What the Session header announces, in whole seconds. */
  private readonly announcedTimeoutS: number;

  constructor(private readonly cfg: ServerConfig) {
    this.log = cfg.log;
    this.sessionTimeoutMs = cfg.sessionTimeoutS * 1000;
    this.announcedTimeoutS = Math.round(this.sessionTimeoutMs / 1000);
  }

  accept(socket: net.Socket): void {
    this.connections.add(new Connection(socket, this));
  }

  connectionClosed(conn: Connection): void {
    this.connections.delete(conn);
    for (const s of [...conn.sessions]) this.endSession(s);
  }

  dropAll(): void {
    for (const conn of [...this.connections]) conn.close();
  }

  /** Ends every session of `mount`; a connection left without sessions is closed, so its client sees the stream end. */
  dropMount(mount: Mount): void {
    for (const s of [...mount.sessions]) {
      this.endSession(s);
      if (s.conn.sessions.size === 0) s.conn.close();
    }
  }

  handle(conn: Connection, req: RtspRequest): RtspResponse {
    // Any request naming a session keeps it alive: some clients send OPTIONS as their keep-alive.
    const sid = requestSessionId(req);
    if (sid !== undefined) this.sessions.get(sid)?.touch();
    switch (req.method) {
      case 'OPTIONS':
        return { status: 200, headers: [['Public', PUBLIC_METHODS]] };
      case 'DESCRIBE':
        return this.authorised(req) ?? this.describe(req);
      case 'SETUP':
        return this.authorised(req) ?? this.setup(conn, req);
      case 'PLAY':
        return this.authorised(req) ?? this.play(req);
      case 'PAUSE':
        return this.pause(req);
      case 'TEARDOWN':
        return this.teardown(req);
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        return this.keepAlive(req);
      default:
        return { status: 501, headers: [['Public', PUBLIC_METHODS]] };
    }
  }

  private endSession(s: Session): void {
    s.dispose();
    // The replay the session was set up on, which need not be the mount's current one.
    s.media.stream.stop(s.media);
    s.mount.sessions.delete(s);
    s.conn.sessions.delete(s);
    this.sessions.delete(s.id);
  }

  private mountFor(uri: string): { mount: Mount; track?: number } | undefined {
    const p = uriPath(uri);
    if (p === undefined) return undefined;
    const direct = this.mounts.get(p);
    if (direct) return { mount: direct };
    const m = TRACK_SUFFIX.exec(p);
    if (!m) return undefined;
    const mount = this.mounts.get(normalisePath(p.slice(0, m.index)));
    return mount ? { mount, track: Number(m[1]) } : undefined;
  }

  private describe(req: RtspRequest): RtspResponse {
    const found = this.mountFor(req.uri);
    if (!found || found.track !== undefined) return { status: 404 };
    const { spec, params } = found.mount.replay.clip;
    return {
      status: 200,
      headers: [
        ['Content-Type', 'application/sdp'],
        ['Content-Base', `${withoutQuery(req.uri)}/`],
      ],
      body: renderSdp(spec, params, this.cfg.host, String(Date.now())),
    };
  }

  private setup(conn: Connection, req: RtspRequest): RtspResponse {
    const found = this.mountFor(req.uri);
    // One track, trackID=0; a SETUP of the aggregate URL is taken to mean it.
    if (!found || (found.track !== undefined && found.track !== 0)) return { status: 404 };
    const existingId = requestSessionId(req);
    if (existingId !== undefined) {
      const existing = this.sessions.get(existingId);
      if (!existing) return { status: 454 };
      if (existing.mount !== found.mount) return { status: 455 };
      return { status: 200, headers: this.setupHeaders(existing) };
    }
    const transport = chooseTransport(req.headers.get('transport') ?? '');
    if (!transport) return { status: 461 };
    const { mount } = found;
    const channel = transport.channel ?? nextFreeChannel(conn);
    const session = new Session(mount, conn, channel, `${withoutQuery(req.uri).replace(TRACK_SUFFIX, '')}/trackID=0`);
    this.sessions.set(session.id, session);
    conn.sessions.add(session);
    mount.sessions.add(session);
    mount.sessionsTotal++;
    session.armTimeout(this.sessionTimeoutMs, () => {
      this.log.info({ session: session.id, path: mount.path }, 'rtsp camera: session timed out');
      // The session's media went over this connection; without it the connection has no purpose.
      conn.close();
    });
    this.log.debug({ session: session.id, path: mount.path }, 'rtsp camera: session set up');
    return { status: 200, headers: this.setupHeaders(session) };
  }

  private setupHeaders(s: Session): Array<[string, string]> {
    const { channel, sender } = s.media;
    const ssrc = sender.ssrc.toString(16).toUpperCase().padStart(8, '0');
    return [
      ['Transport', `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1};ssrc=${ssrc};mode="PLAY"`],
      this.sessionHeader(s),
    ];
  }

  private sessionHeader(s: Session): [string, string] {
    return ['Session', `${s.id};timeout=${this.announcedTimeoutS}`];
  }

  /** The session a request names (already kept alive by `handle`), or the 454 answer. */
  private sessionOf(req: RtspRequest): Session | RtspResponse {
    const id = requestSessionId(req);
    return (id === undefined ? undefined : this.sessions.get(id)) ?? { status: 454 };
  }

  private play(req: RtspRequest): RtspResponse {
    const s = this.sessionOf(req);
    if (!(s instanceof Session)) return s;
    s.media.stream.play(s.media);
    return {
      status: 200,
      headers: [
        this.sessionHeader(s),
        ['Range', 'npt=now-'],
        ['RTP-Info', `url=${s.trackUrl};seq=${s.media.sender.nextSequence};rtptime=${s.media.timestamp(s.media.startIndex)}`],
      ],
    };
  }

  private pause(req: RtspRequest): RtspResponse {
    const s = this.sessionOf(req);
    if (!(s instanceof Session)) return s;
    s.media.stream.stop(s.media);
    return { status: 200, headers: [this.sessionHeader(s)] };
  }

  private teardown(req: RtspRequest): RtspResponse {
    const s = this.sessionOf(req);
    if (!(s instanceof Session)) return s;
    this.endSession(s);
    return { status: 200, headers: [['Session', s.id]] };
  }

  private keepAlive(req: RtspRequest): RtspResponse {
    if (requestSessionId(req) === undefined) return { status: 200 };
    const s = this.sessionOf(req);
    if (!(s instanceof Session)) return s;
    return { status: 200, headers: [this.sessionHeader(s)] };
  }

  /** undefined when the request may proceed, else the 401 challenge. */
  private authorised(req: RtspRequest): RtspResponse | undefined {
    const { auth } = this.cfg;
    if (!auth || auth.verify(req.method, req.headers.get('authorization') ?? '')) return undefined;
    return { status: 401, headers: [['WWW-Authenticate', auth.challenge()]] };
  }
}

// ---------------------------------------------------------------- URLs and transports

/** The stream path a request URI names: no scheme/host, no query, no surrounding slashes. */
function uriPath(uri: string): string | undefined {
  let p: string;
  if (/^rtsps?:\/\//i.test(uri)) {
    if (!URL.canParse(uri)) return undefined;
    p = new URL(uri).pathname;
  } else if (uri.startsWith('/')) {
    p = uri.split('?')[0]!;
  } else {
    return undefined;
  }
  try {
    p = decodeURIComponent(p);
  } catch {
    return undefined;
  }
  return normalisePath(p);
}

function normalisePath(p: string): string {
  return p.replace(/^\/+|\/+$/g, '');
}

function withoutQuery(uri: string): string {
  return uri.split('?')[0]!.replace(/\/+$/, '');
}

/** The first transport alternative we can serve: RTP over the RTSP connection (RFC 2326 §12.39). */
function chooseTransport(header: string): { channel?: number } | undefined {
  for (const alt of header.split(',')) {
    const params = alt.trim().split(';').map((p) => p.trim());
    if (!/^RTP\/AVP\/TCP$/i.test(params[0] ?? '')) continue;
    if (params.some((p) => /^multicast$/i.test(p))) continue;
    const il = params.map((p) => /^interleaved=(\d{1,3})(?:-(\d{1,3}))?$/i.exec(p)).find((m) => m);
    if (!il) return {};
    const channel = Number(il[1]);
    if (channel > 254) continue;
    return { channel };
  }
  return undefined;
}

function nextFreeChannel(conn: Connection): number {
  let c = 0;
  while ([...conn.sessions].some((s) => s.media.channel === c || s.media.channel + 1 === c)) c += 2;
  return c;
}

// ---------------------------------------------------------------- start

export async function startRtspCamera(opts: RtspCameraOptions): Promise<RtspCamera> {
  if (opts.streams.length === 0) throw new Error('rtsp camera: at least one stream is required');
  const seen = new Set<string>();
  for (const s of opts.streams) {
    const p = normalisePath(s.path);
    if (p === '' || seen.has(p)) throw new Error(`rtsp camera: stream path "${s.path}" is empty or repeated`);
    if (TRACK_SUFFIX.test(`/${p}`)) throw new Error(`rtsp camera: stream path "${s.path}" must not end in a track name`);
    seen.add(p);
    validateClipSpec(s.clip);
  }
  const sessionTimeoutS = opts.sessionTimeoutS ?? DEFAULT_SESSION_TIMEOUT_S;
  if (!(sessionTimeoutS > 0)) throw new Error('rtsp camera: sessionTimeoutS must be > 0');
  const credentials =
    opts.password !== undefined ? { user: opts.user ?? 'admin', password: opts.password } : undefined;
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? silentLogger();
  const auth = credentials && new DigestAuth(credentials.user, credentials.password);
  const server = new CameraServer({ host, sessionTimeoutS, auth, log });

  const clipOpts = { cacheDir: opts.cacheDir, ffmpegPath: opts.ffmpegPath };
  const clips = await Promise.all(opts.streams.map((s) => loadReplayClip(s.clip, clipOpts)));
  const t0 = performance.now();
  const wallT0 = Date.now();
  const replayOpts = { maxBufferedBytes: opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, log };
  opts.streams.forEach((s, i) => {
    const path = normalisePath(s.path);
    server.mounts.set(path, { path, replay: new ReplayStream(clips[i]!, t0, wallT0, replayOpts), sessions: new Set(), sessionsTotal: 0, clipGeneration: 0 });
  });

  const tcp = net.createServer((socket) => server.accept(socket));
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.port ?? 0, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const port = (tcp.address() as net.AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    host,
    port,
    url(path: string, withCredentials = false): string {
      const userinfo =
        withCredentials && credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
      return `rtsp://${userinfo}${hostInUrl}:${port}/${path.replace(/^\/+/, '')}`;
    },
    stats(): RtspStreamStats[] {
      return [...server.mounts.values()].map((m) => ({
        path: m.path,
        sessionsActive: m.sessions.size,
        sessionsTotal: m.sessionsTotal,
        playing: m.replay.playingCount,
      }));
    },
    dropSessions(): void {
      server.dropAll();
    },
    mute(ms: number): void {
      for (const m of server.mounts.values()) m.replay.mute(ms);
    },
    async setClip(path: string, clip: ClipSpec): Promise<void> {
      const mount = server.mounts.get(normalisePath(path));
      if (!mount) throw new Error(`rtsp camera: no stream path "${path}"`);
      if (closing) throw new Error('rtsp camera: closed');
      validateClipSpec(clip);
      const generation = ++mount.clipGeneration;
      const loaded = await loadReplayClip(clip, clipOpts);
      if (closing || generation !== mount.clipGeneration) return;
      // A fresh origin: the new encoder starts now, its first AU a key frame.
      mount.replay = new ReplayStream(loaded, performance.now(), Date.now(), replayOpts);
      server.dropMount(mount);
      log.info({ path: mount.path, clip }, 'rtsp camera: stream re-encoded, sessions dropped');
    },
    close(): Promise<void> {
      // Dropping every connection ends every session, which stops every replay timer.
      closing ??= new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        server.dropAll();
      });
      return closing;
    },
  };
}
