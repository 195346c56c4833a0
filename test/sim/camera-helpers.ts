// Shared fixtures of the camera-sim tests (not a test file itself): child-process runners that
// always clean up, and a small test-only RTSP client that exposes the raw interleaved RTP.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { startRtspCamera, type ClipSpec, type RtspCamera, type RtspCameraOptions } from '../../src/sim/camera/index.js';

export const FFMPEG = '/usr/bin/ffmpeg';
export const FFPROBE = '/usr/bin/ffprobe';

/** A small H.265 clip: most tests need H.265 structure, not 1080p. */
export const CIF_H265: ClipSpec = { codec: 'h265', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 25, seconds: 2 };

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startCamera(t: Teardown, opts: RtspCameraOptions): Promise<RtspCamera> {
  const cam = await startRtspCamera(opts);
  t.teardown(() => cam.close());
  return cam;
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningTool {
  child: ChildProcess;
  result: Promise<ToolResult>;
  stdout(): string;
  stderr(): string;
  /** Resolves when `pred` holds for the stdout seen so far (checked on each chunk). */
  waitForStdout(pred: (out: string) => boolean, timeoutMs: number): Promise<void>;
}

/** Spawns a tool that is SIGKILLed at teardown (or after `timeoutMs`) if it is still running. */
export function spawnTool(t: Teardown, bin: string, args: string[], timeoutMs = 60_000): RunningTool {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of watchers) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000);
  });
  child.stdin!.on('error', () => {});
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const timer = setTimeout(kill, timeoutMs);
  const result = new Promise<ToolResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const w of watchers) w();
      resolve({ code, signal, stdout, stderr });
    });
  });
  t.teardown(async () => {
    kill();
    await result.catch(() => undefined);
  });
  return {
    child,
    result,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout(pred, ms) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pred(stdout)) done(resolve);
          else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`exited before the condition; stderr: ${stderr}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`condition not met within ${ms} ms; stderr: ${stderr}`))), ms);
        const done = (fn: () => void): void => {
          clearTimeout(timer);
          watchers.delete(check);
          fn();
        };
        watchers.add(check);
        check();
      });
    },
  };
}

export function runTool(t: Teardown, bin: string, args: string[], timeoutMs = 60_000): Promise<ToolResult> {
  return spawnTool(t, bin, args, timeoutMs).result;
}

/** ffprobe of a camera stream as JSON (ARCHITECTURE §3: never a regex over the banner). */
export async function probe(t: Teardown, url: string, extra: string[] = ['-rtsp_transport', 'tcp']): Promise<{ result: ToolResult; streams: Array<Record<string, unknown>> }> {
  const result = await runTool(t, FFPROBE, ['-v', 'error', ...extra, '-of', 'json', '-show_streams', url], 30_000);
  let streams: Array<Record<string, unknown>> = [];
  if (result.code === 0) streams = (JSON.parse(result.stdout) as { streams: Array<Record<string, unknown>> }).streams;
  return { result, streams };
}

/** Polls a cheap in-process condition (server stats) until it holds, or fails after `timeoutMs`. */
export async function waitUntil(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface RtspReply {
  status: number;
  reason: string;
  headers: Map<string, string>;
  body: string;
}

export interface InterleavedFrame {
  channel: number;
  data: Buffer;
  /** performance.now() at arrival. */
  at: number;
}

/**
 * A deliberately small RTSP client for tests: one request at a time, raw access to the
 * interleaved frames, so the tests can see exactly what a camera puts on the wire.
 */
export class RawRtspClient {
  readonly frames: InterleavedFrame[] = [];
  readonly closed: Promise<void>;
  private buf = Buffer.alloc(0);
  private cseq = 0;
  private waiting: { resolve: (r: RtspReply) => void; reject: (e: Error) => void } | undefined;
  private frameWatchers = new Set<() => void>();
  private isClosed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        this.waiting?.reject(new Error('connection closed'));
        this.waiting = undefined;
        for (const w of this.frameWatchers) w();
        resolve();
      }),
    );
  }

  static async connect(t: Teardown, port: number, host = '127.0.0.1'): Promise<RawRtspClient> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new RawRtspClient(socket);
    t.teardown(() => socket.destroy());
    return c;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  request(method: string, uri: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<RtspReply> {
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++this.cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    return this.send(`${lines.join('\r\n')}\r\n\r\n`, timeoutMs);
  }

  /** Writes raw bytes and waits for one reply (or the connection closing). */
  send(raw: string | Buffer, timeoutMs = 10_000): Promise<RtspReply> {
    if (this.waiting) throw new Error('one request at a time');
    return new Promise<RtspReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.socket.write(raw);
    });
  }

  /** Resolves once `count` frames on `channel` have arrived. */
  waitForFrames(channel: number, count: number, timeoutMs: number): Promise<InterleavedFrame[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const got = this.frames.filter((f) => f.channel === channel);
        if (got.length >= count) done(() => resolve(got));
        else if (this.isClosed) done(() => reject(new Error(`closed after ${got.length} of ${count} frames`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`only ${this.frames.length} frames within ${timeoutMs} ms`))), timeoutMs);
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        this.frameWatchers.delete(check);
        fn();
      };
      this.frameWatchers.add(check);
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.buf.length === 0) break;
      if (this.buf[0] === 0x24) {
        if (this.buf.length < 4) break;
        const len = this.buf.readUInt16BE(2);
        if (this.buf.length < 4 + len) break;
        this.frames.push({ channel: this.buf[1]!, data: Buffer.from(this.buf.subarray(4, 4 + len)), at: performance.now() });
        this.buf = this.buf.subarray(4 + len);
        for (const w of this.frameWatchers) w();
        continue;
      }
      const end = this.buf.indexOf('\r\n\r\n');
      if (end === -1) break;
      const head = this.buf.subarray(0, end).toString('utf8').split('\r\n');
      const m = /^RTSP\/1\.0 (\d{3}) ?(.*)$/.exec(head[0] ?? '');
      if (!m) {
        this.waiting?.reject(new Error(`not an RTSP reply: ${head[0]}`));
        this.waiting = undefined;
        this.socket.destroy();
        return;
      }
      const headers = new Map<string, string>();
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
      }
      const len = Number(headers.get('content-length') ?? '0');
      if (this.buf.length < end + 4 + len) break;
      const body = this.buf.subarray(end + 4, end + 4 + len).toString('utf8');
      this.buf = this.buf.subarray(end + 4 + len);
      const w = this.waiting;
      this.waiting = undefined;
      w?.resolve({ status: Number(m[1]), reason: m[2] ?? '', headers, body });
    }
  }

  /** DESCRIBE, SETUP (interleaved 0-1) and PLAY; returns the replies. */
  async play(baseUrl: string, auth: (method: string, uri: string) => Record<string, string> = () => ({})): Promise<{ describe: RtspReply; setup: RtspReply; play: RtspReply; session: string }> {
    const describe = await this.request('DESCRIBE', baseUrl, { Accept: 'application/sdp', ...auth('DESCRIBE', baseUrl) });
    if (describe.status !== 200) throw new Error(`DESCRIBE: ${describe.status}`);
    const trackUrl = `${describe.headers.get('content-base') ?? `${baseUrl}/`}trackID=0`;
    const setup = await this.request('SETUP', trackUrl, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', ...auth('SETUP', trackUrl) });
    if (setup.status !== 200) throw new Error(`SETUP: ${setup.status}`);
    const session = (setup.headers.get('session') ?? '').split(';')[0]!;
    const play = await this.request('PLAY', baseUrl, { Session: session, Range: 'npt=0.000-', ...auth('PLAY', baseUrl) });
    if (play.status !== 200) throw new Error(`PLAY: ${play.status}`);
    return { describe, setup, play, session };
  }
}
