// The /service/* interface of the platform (Appendix E, CONTRACT §3 and §5): headers, token
// call, body validation and the business answers. Transport-free: server.ts feeds it requests.
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import {
  CODE,
  analyseReportSchema,
  camerasListSchema,
  cameraQualityReportSchema,
  cameraRecordSchema,
  cameraStatusReportSchema,
  deleteRequestSchema,
  describeIssue,
  snapshotReportSchema,
  type CameraRecord,
  type Envelope,
} from '../../protocols/province/messages.js';
import { sm2Verify, tokenSignMessage } from '../../protocols/province/sm2.js';
import type { CameraRegistry } from './registry.js';
import type { TokenBook } from './tokens.js';

export interface ServiceRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer | undefined;
}

export interface ServiceAnswer {
  envelope: Envelope;
  /** What to record as the request body: parsed JSON, or the raw text when it is not JSON. */
  recordedBody: unknown;
}

export interface ServiceDeps {
  deviceCode: string;
  user: string;
  publicKeyHex: string;
  tokens: TokenBook;
  registry: CameraRegistry;
  pushVideo: Record<string, string>;
  analyseKey: string | undefined;
  clock: () => number;
}

/** nginx-rtmp `on_publish` → what the ingest answers (2xx accepts, anything else refuses). */
export interface PublishDecision {
  status: 200 | 403;
  reason: string;
}

export const MSG = {
  ok: '成功',
  tokenInvalid: 'token过期或无效',
  badSignature: '签名验证失败',
} as const;

const MAX_RECORDED_TEXT = 4096;

type ParsedBody = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'malformed'; text: string; reason: string };

type PostHandler = (body: unknown) => Envelope;

const ok = (data?: unknown): Envelope => (data === undefined ? { code: CODE.ok, msg: MSG.ok } : { code: CODE.ok, msg: MSG.ok, data });
const bad = (msg: string): Envelope => ({ code: CODE.badRequest, msg });
const forbidden = (msg: string): Envelope => ({ code: CODE.forbidden, msg });

export class ProvinceService {
  private readonly post: Record<string, PostHandler> = {
    'video.VideoInformation': (b) => this.videoInformation(b),
    'video.VideoInformationDel': (b) => this.videoInformationDel(b),
    'stream.GetPushAddress': (b) => this.getPushAddress(b),
    'video.ReportCameraStatus': (b) => validated(cameraStatusReportSchema, b, () => ok()),
    'video.ReportCameraQuality': (b) => validated(cameraQualityReportSchema, b, () => ok()),
    'video.ReportAnalyse': (b) => this.reportAnalyse(b),
    'video.ReportSnapshot': (b) => validated(snapshotReportSchema, b, () => ok()),
  };

  /** Stream names refused by refusePublish; `all` refuses every publish. */
  private readonly refusedStreams = new Set<string>();
  private refuseAll = false;

  constructor(private readonly deps: ServiceDeps) {}

  refusePublish(streamNameOrAll: string | true, on: boolean): void {
    if (streamNameOrAll === true) this.refuseAll = on;
    else if (on) this.refusedStreams.add(streamNameOrAll);
    else this.refusedStreams.delete(streamNameOrAll);
  }

  /**
   * The ingest's answer to nginx-rtmp's on_publish form (`name` = stream name without its query,
   * whose args arrive as fields of their own: `t`, `k`).
   */
  publishCheck(form: URLSearchParams): PublishDecision {
    const name = form.get('name') ?? '';
    if (name === '') return { status: 403, reason: 'name: no stream name' };
    if (this.refuseAll) return { status: 403, reason: 'refused: every publish (refusePublish(true))' };
    if (this.refusedStreams.has(name)) return { status: 403, reason: `refused: ${name} (refusePublish)` };
    const t = form.get('t') ?? undefined;
    const k = form.get('k') ?? undefined;
    if (t === undefined && k === undefined) return { status: 200, reason: 'accepted: unsigned stream name (on-demand push)' };
    const check = this.deps.registry.checkPush(name, { t, k }, this.deps.clock());
    return check.ok ? { status: 200, reason: 'accepted: signed push URL' } : { status: 403, reason: check.reason };
  }

  handle(req: ServiceRequest): ServiceAnswer {
    const parsed = parseBody(req.rawBody);
    const recordedBody =
      parsed.kind === 'json' ? parsed.value : parsed.kind === 'malformed' ? parsed.text.slice(0, MAX_RECORDED_TEXT) : undefined;
    return { envelope: this.dispatch(req, parsed), recordedBody };
  }

  private dispatch(req: ServiceRequest, parsed: ParsedBody): Envelope {
    const name = req.path.slice('/service/'.length);
    const isToken = name === 'token';
    const handler = Object.hasOwn(this.post, name) ? this.post[name] : undefined;
    if (!isToken && !handler) return { code: CODE.notFound, msg: `${req.path}: unknown interface` };

    if (!header(req.headers, 'appversion')) return bad('AppVersion: required header');
    const deviceCode = header(req.headers, 'devicecode');
    if (deviceCode !== this.deps.deviceCode) {
      return forbidden(deviceCode ? `DeviceCode: ${deviceCode} is not a registered gateway` : 'DeviceCode: required header');
    }
    if (isToken || !handler) return req.method === 'GET' ? this.token(req.query) : bad('method: token requires GET');
    if (!this.deps.tokens.acceptsAsTAuth(header(req.headers, 'tauth'))) return forbidden(MSG.tokenInvalid);

    if (req.method !== 'POST') return bad(`method: ${name} requires POST`);
    const type = header(req.headers, 'content-type');
    if (!type || !/^application\/json\s*(;|$)/i.test(type)) return bad('Content-Type: must be application/json');
    if (parsed.kind === 'none') return bad('body: required');
    if (parsed.kind === 'malformed') return bad(`body: malformed JSON (${parsed.reason})`);
    return handler(parsed.value);
  }

  private token(query: URLSearchParams): Envelope {
    const params: Record<string, string> = {};
    for (const key of ['deviceCode', 'user', 'token', 'sign']) {
      const values = query.getAll(key);
      if (values.length === 0 || values[0] === '') return bad(`${key}: required query parameter`);
      if (values.length > 1) return bad(`${key}: given more than once`);
      params[key] = values[0]!;
    }
    const { deviceCode, user, token, sign } = params as Record<'deviceCode' | 'user' | 'token' | 'sign', string>;
    if (deviceCode !== this.deps.deviceCode) return forbidden(`deviceCode: ${deviceCode} is not a registered gateway`);
    if (user !== this.deps.user) return forbidden(`user: ${user} is not a user of this gateway`);
    if (!sm2Verify(tokenSignMessage(deviceCode, user, token), sign, this.deps.publicKeyHex)) {
      return { code: CODE.badSignature, msg: MSG.badSignature };
    }
    if (!this.deps.tokens.acceptsForRefresh(token)) return forbidden(MSG.tokenInvalid);
    const next = this.deps.tokens.rotate();
    return ok({ user, deviceCode, token: next });
  }

  private videoInformation(body: unknown): Envelope {
    if (!Array.isArray(body)) return bad('body: must be an array of camera records');
    if (body.length === 0) return bad('body: must contain at least one camera record');
    const records: CameraRecord[] = [];
    for (const [i, item] of body.entries()) {
      const r = cameraRecordSchema.safeParse(item);
      if (!r.success) return bad(describeIssue(r.error, String(i)));
      records.push(r.data);
    }
    return ok(this.deps.registry.upsert(records));
  }

  private videoInformationDel(body: unknown): Envelope {
    return validated(deleteRequestSchema, body, (req) => ok(this.deps.registry.remove(req.cameras)));
  }

  private getPushAddress(body: unknown): Envelope {
    return validated(camerasListSchema, body, (req) => {
      const result = this.deps.registry.pushAddresses(req.cameras, this.deps.clock());
      if (!result.ok) return { code: CODE.notFound, msg: `cameras: ${result.unknown} 未注册 (unknown camera)` };
      return ok({ cameras: result.cameras, video: { ...this.deps.pushVideo } });
    });
  }

  private reportAnalyse(body: unknown): Envelope {
    return validated(analyseReportSchema, body, (report) => {
      const key = this.deps.analyseKey;
      if (key !== undefined) {
        const expected = crypto.createHash('md5').update(key + report.dateTime).digest('hex');
        if (report.sign !== expected) return { code: CODE.badSignature, msg: `${MSG.badSignature}: sign` };
      }
      return ok();
    });
  }
}

function validated<S extends z.ZodType>(schema: S, body: unknown, then: (value: z.output<S>) => Envelope): Envelope {
  const r = schema.safeParse(body);
  return r.success ? then(r.data) : bad(describeIssue(r.error));
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

function parseBody(raw: Buffer | undefined): ParsedBody {
  if (raw === undefined || raw.length === 0) return { kind: 'none' };
  const text = raw.toString('utf8');
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch (err) {
    return { kind: 'malformed', text, reason: (err as Error).message };
  }
}
