import type { Logger } from 'pino';
import type { CameraRecord } from '../../protocols/province/messages.js';

export type { CameraRecord };

export const OUTAGE_MODES = ['drop', 'refuse', '503', 'hang'] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];

export interface ProvinceSimOptions {
  /** Default 127.0.0.1:0 (ephemeral port). */
  listen?: { host: string; port: number };
  /** PEM strings; when absent a self-signed certificate for 127.0.0.1/localhost is generated. */
  tls?: { cert: string; key: string };
  /** When set, /service/* calls must present a client certificate issued by this CA (mutual TLS). */
  clientCa?: string;
  /** The gateway this platform accepts. */
  deviceCode: string;
  user: string;
  /** The token issued "offline". */
  initialToken: string;
  /** Hex (04…) or PEM; verifies the token-call signature. */
  sm2PublicKey: string;
  /** How long the previous token stays valid after a rotation (default 60 000 ms). */
  tokenGraceMs?: number;
  /** Base for GetPushAddress URLs (default rtmp://127.0.0.1:1935/rtmp). */
  rtmpBase?: string;
  /** Base URL of the gateway's API for calls to it, e.g. https://127.0.0.1:8443. */
  gatewayUrl?: string;
  /** PEM to trust when calling the gateway; absent = do not verify (logged). */
  gatewayCa?: string;
  /** Client certificate presented to the gateway when it requires mutual TLS. */
  gatewayClientTls?: { cert: string; key: string };
  /** How long a GetPushAddress URL stays valid, in seconds (default 300, E-4.1). */
  pushUrlTtlS?: number;
  /**
   * Starts a plain-HTTP listener for nginx-rtmp's `on_publish` (see `publishCheckUrl`): it answers
   * 200 for a signed, unexpired push URL of a registered camera and for stream names without
   * `t`/`k` (on-demand pushes to addresses the province chose), 403 otherwise or when refused by
   * `refusePublish`. Every check is recorded under PUBLISH_CHECK_PATH. `true` = 127.0.0.1:0.
   */
  publishCheck?: boolean | { host?: string; port?: number };
  /** The `video` object of GetPushAddress. */
  pushVideo?: Record<string, string>;
  /** JSON-lines file every received request is appended to. */
  recordFile?: string;
  /** VideoInformation answers status 1 for these cameras. */
  rejectCameraNums?: string[];
  /** When set, ReportAnalyse `sign` must be md5(analyseKey + dateTime), else 2001. */
  analyseKey?: string;
  /** Time source in ms (tests drive the token grace window with it). Default Date.now. */
  clock?: () => number;
  log?: Logger;
}

/**
 * Publish checks are recorded like requests: path PUBLISH_CHECK_PATH, method POST, body = the
 * on_publish form fields (app, name, t, k, addr, tcurl, …), code = the HTTP status answered
 * (200 or 403), msg = why.
 */
export interface ReceivedRequest {
  seq: number;
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  /** The `code` the sim answered; 0 when it gave no answer (an outage, see setDown). */
  code: number;
  msg: string;
}

export type GatewayCall = 'VideoTransBegin' | 'VideoTransFinish' | 'PTZControl' | 'NetworkCheck' | 'CheckGateway';

export interface GatewayReply {
  httpStatus: number;
  body: unknown;
}

export interface ProvinceSim {
  /** e.g. https://127.0.0.1:PORT */
  readonly url: string;
  /** The server certificate, so a gateway can trust it via ca_file. */
  readonly certPem: string;
  received(filter?: { path?: string; sinceSeq?: number }): ReceivedRequest[];
  /** Resolves on the first matching request, past or future; rejects after timeoutMs (default 10 s). */
  waitFor(predicate: (r: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  /** The newest token issued to the gateway (what it should hold). */
  currentToken(): string;
  /**
   * Every issued token stops being accepted as TAuth (→ 403), until the gateway refreshes.
   * The token call still accepts the last issued token (re-authentication by signature).
   */
  expireTokens(): void;
  /**
   * An outage of the platform. While down, every /service/* request is, by `mode`: 'drop' its
   * socket destroyed without a reply (the default); '503' answered HTTP 503 by a proxy; 'hang'
   * read and never answered (its socket closed when the outage ends); 'refuse' the port closed,
   * so connections are refused (opened again on the same port when the outage ends).
   */
  setDown(down: boolean, mode?: OutageMode): Promise<void>;
  /** Calls the gateway with TAuth = currentToken(), DeviceCode and AppVersion. */
  callGateway(call: GatewayCall, body?: unknown): Promise<GatewayReply>;
  /**
   * The `on_publish` URL for the RTMP server (http://127.0.0.1:PORT/rtmp/on_publish); undefined
   * unless the `publishCheck` option is set.
   */
  readonly publishCheckUrl: string | undefined;
  /**
   * Refuses (on = true) or stops refusing publishes of one stream name, or of every stream (`true`),
   * whatever their signature: a platform turning a gateway away.
   */
  refusePublish(streamNameOrAll: string | true, on: boolean): void;
  /** The registry built by VideoInformation / VideoInformationDel (a copy). */
  cameras(): Map<string, CameraRecord>;
  close(): Promise<void>;
}
