// The ONE config schema: TypeScript types, defaults, bounds, validation and the commented
// gateway.example.toml (scripts/gen-example-config.ts) all come from here.
import { z } from 'zod';
import { cameraNumSchema, cameraRecordShape, checkPileNum } from '../protocols/province/messages.js';

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be HOST:PORT, e.g. 0.0.0.0:8443');
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s) URL');
const file = z.string().min(1);
const cidr = z
  .string()
  .regex(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/, 'must be an IP address or CIDR, e.g. 10.0.0.0/8');

const gateway = z
  .strictObject({
    device_code: z
      .string()
      .min(1)
      .max(64)
      .describe('Gateway number issued by the province (DeviceCode header), e.g. vg-108121')
      .meta({ example: 'vg-108121' }),
    data_dir: z.string().min(1).default('/var/lib/vcgw').describe('Where the database, certificates and snapshots live'),
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .describe('Log level (JSON lines on stdout, for journald)'),
    log_file: file
      .optional()
      .describe('Also write the log (the same JSON lines) to this file, for boxes without journald; `vcgw logs` reads it when the journal has nothing')
      .meta({ example: '/var/log/vcgw/vcgw.log' }),
    section_name: z
      .string()
      .min(1)
      .optional()
      .describe("路段名称 in the inspection sheet's heading (Appendix C; default: the cameras' roadSec)")
      .meta({ example: '京珠北段' }),
    contact: z.string().min(1).optional().describe('联系人 in the inspection sheet heading (Appendix C)').meta({ example: '张工' }),
    contact_phone: z.string().min(1).optional().describe('联系方式 in the inspection sheet heading (Appendix C)').meta({ example: '020-12345678' }),
  })
  .describe('This gateway');

const province = z
  .strictObject({
    base_url: httpUrl
      .describe('Province platform base URL; calls go to <base_url>/service/...')
      .meta({ example: 'https://10.1.1.1:443' }),
    backup_base_urls: z
      .array(httpUrl)
      .default([])
      .describe('Backup links (seed 003 §7.1 f): used in order when the primary is unreachable; the primary is retried periodically'),
    primary_retry_s: z.number().int().min(5).max(86400).default(300).describe('How often to try the primary again while on a backup link'),
    user: z.string().min(1).describe('User name issued offline with the gateway').meta({ example: 'Jzbgs' }),
    token: z
      .string()
      .min(1)
      .describe('Initial token issued offline; later tokens are rotated and kept in the database')
      .meta({ example: 'FhpQWdqdShB1ZJ1u' }),
    sm2_private_key: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
      .optional()
      .describe('SM2 private key as 64 hex digits (or use sm2_private_key_file)'),
    sm2_private_key_file: file.optional().describe('SM2 private key as a PEM file (PKCS#8 or SEC1)'),
    sign_format: z.enum(['raw', 'der']).default('raw').describe('Token signature encoding: raw 64-byte r||s, or DER'),
    ca_file: file.optional().describe("PEM CA bundle that signs the province's certificate (default: system CAs)"),
    client_cert_file: file.optional().describe('PEM client certificate for mutual TLS towards the province'),
    client_key_file: file.optional().describe('PEM key of client_cert_file'),
    token_refresh_s: z.number().int().min(60).max(7 * 86400).default(3600).describe('Token rotation period'),
    request_timeout_ms: z.number().int().min(500).max(120000).default(10000).describe('Timeout of one province call'),
    analyse_key: z.string().default('').describe('Key for the MD5 sign of ReportAnalyse (E-4.4)'),
    org_id: z.string().default('').describe('orgld of ReportAnalyse, issued by the province'),
    status_full_interval_s: z
      .number()
      .int()
      .min(60)
      .max(86400)
      .default(3600)
      .describe('Full ReportCameraStatus period (changes are reported at once)'),
  })
  .refine((p) => p.sm2_private_key !== undefined || p.sm2_private_key_file !== undefined, {
    message: 'one of sm2_private_key or sm2_private_key_file is required',
    path: ['sm2_private_key'],
  })
  .refine((p) => (p.client_cert_file === undefined) === (p.client_key_file === undefined), {
    message: 'client_cert_file and client_key_file go together',
    path: ['client_key_file'],
  })
  .describe('The provincial video-cloud platform (Appendix E)');

const seconds = (min: number, max: number) => z.number().min(min).max(max);

/**
 * Timeouts and a cap of a listener, so that a client that opens connections and sends nothing,
 * or a byte at a time, cannot hold the daemon's file descriptors (issue 15).
 */
const listenerLimits = {
  handshake_timeout_s: seconds(1, 120).default(5).describe('A connection whose TLS handshake is not done this long after it opened is dropped'),
  header_timeout_s: seconds(1, 300).default(10).describe('A request whose headers have not all arrived this long after it began is dropped (slow senders)'),
  request_timeout_s: seconds(1, 600).default(30).describe('A request whose body has not all arrived this long after it began is dropped'),
  idle_timeout_s: seconds(1, 3600).default(30).describe('A connection with no traffic for this long is closed, keep-alive included'),
  max_connections: z
    .number()
    .int()
    .min(16)
    .max(65536)
    .default(1000)
    .describe('Connections open at once; further ones are closed at once until some end'),
};
export type ListenerLimitsConfig = { [K in keyof typeof listenerLimits]: z.output<(typeof listenerLimits)[K]> };

const api = z
  .strictObject({
    listen: hostPort.default('0.0.0.0:8443').describe('Where the province calls the gateway (HTTPS)'),
    tls_cert_file: file
      .optional()
      .describe('PEM server certificate; when absent a self-signed one is generated in data_dir at first start'),
    tls_key_file: file.optional().describe('PEM key of tls_cert_file'),
    client_ca_file: file.optional().describe('When set, mutual TLS: province clients must present a certificate signed by this CA'),
    token_grace_s: z
      .number()
      .int()
      .min(0)
      .max(86400)
      .default(300)
      .describe('How long the previous token is still accepted after a rotation'),
    body_limit_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024).describe('Largest request body accepted'),
    ...listenerLimits,
  })
  .refine((a) => (a.tls_cert_file === undefined) === (a.tls_key_file === undefined), {
    message: 'tls_cert_file and tls_key_file go together',
    path: ['tls_key_file'],
  })
  .describe('HTTPS API called by the province (E-5.1 … E-5.5)');

const monitor = z
  .strictObject({
    listen: hostPort.default('0.0.0.0:8090').describe('Listener for local incident detectors (E-5.6), camera-network side'),
    tls: z.boolean().default(true).describe("HTTPS with the gateway's certificate; false for plain HTTP"),
    allow: z.array(cidr).default(['127.0.0.1/32']).describe('Addresses allowed to post events'),
    device_map: z
      .record(z.string().min(1), cameraNumSchema)
      .default({})
      .describe('Detector device ids to cameraNum, e.g. { "det-07" = "aef89ecc-…" }'),
    ...listenerLimits,
  })
  .describe('/monitor/video.ReportAnalyse for local incident-detection systems');

const metrics = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Serve /metrics (Prometheus text format) for the operations Prometheus; off unless asked for, so no fixed port is taken by surprise'),
    listen: hostPort.default('0.0.0.0:9464').describe('Listener of /metrics'),
    tls: z.boolean().default(false).describe("HTTPS with the gateway's certificate; false for plain HTTP"),
    allow: z.array(cidr).default(['127.0.0.1/32']).describe('Addresses allowed to scrape without a token'),
    token_file: file
      .optional()
      .describe('File holding a scrape token: a request from any address with `Authorization: Bearer <token>` or `TAuth: <token>` is let in')
      .meta({ example: '/etc/vcgw/metrics.token' }),
    ...listenerLimits,
  })
  .describe('Operations figures for Prometheus (firmware-image/prometheus)');

const media = z
  .strictObject({
    max_outputs: z.number().int().min(1).max(200).default(30).describe('On-demand pushes at once, all rates (§6.1.2 f)'),
    max_4m: z.number().int().min(0).max(200).default(15).describe('On-demand 4 Mbps pushes at once'),
    max_source: z.number().int().min(0).max(200).default(15).describe('On-demand source-rate pushes at once'),
    rtmp_app: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('rtmp').describe('RTMP app used when pubName holds no app'),
    ffmpeg_path: file.optional().describe('FFmpeg binary (default: ffmpeg on PATH, then the @ffmpeg-installer package)'),
    ffprobe_path: file.optional().describe('ffprobe binary (default: ffprobe next to ffmpeg or on PATH)'),
    hardware: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe('auto: use hardware H.264 encoders that pass a one-second trial encode at start; off: libx264 only'),
    hw_slots: z
      .strictObject({
        h264_nvenc: z.number().int().min(0).max(64).default(8),
        h264_qsv: z.number().int().min(0).max(64).default(8),
        h264_vaapi: z.number().int().min(0).max(64).default(4),
        h264_rkmpp: z.number().int().min(0).max(64).default(4),
        h264_v4l2m2m: z.number().int().min(0).max(64).default(2),
      })
      .default(() => ({ h264_nvenc: 8, h264_qsv: 8, h264_vaapi: 4, h264_rkmpp: 4, h264_v4l2m2m: 2 }))
      .describe('Concurrent encodes per hardware encoder; pipelines beyond them use libx264'),
    vaapi_device: z.string().default('/dev/dri/renderD128').describe('DRM render node for h264_vaapi'),
    x264_preset: z
      .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'])
      .default('veryfast')
      .describe('libx264 preset of transcoded outputs'),
    audio: z
      .enum(['silent', 'none'])
      .default('silent')
      .describe('silent: add a silent AAC track (FFmpeg-based players start ≈4 s sooner); none: video only'),
    hevc_passthrough: z
      .boolean()
      .default(false)
      .describe('Copy H.265 sources into FLV (enhanced RTMP, FFmpeg ≥ 6) instead of re-encoding to H.264 (CONTRACT §2)'),
    encoder: z
      .enum(['gateway', 'camera'])
      .default('gateway')
      .describe(
        "Section default for cameras' `encoder`: camera = configure the camera's sub (and third) stream over ONVIF to the 128 kbps CIF (and 1 Mbps 720p) output and push it by remux, verified by ffprobe, falling back to FFmpeg when refused or off-tier",
      ),
    encoding_check_s: seconds(60, 86400)
      .default(3600)
      .describe('How often camera-side encoding is read back and verified (and ONVIF profiles re-read); new cameras within 30 s'),
    rtsp_transport: z.enum(['tcp', 'udp']).default('tcp').describe('RTSP lower transport towards cameras'),
    rtsp_timeout_s: seconds(1, 60).default(5).describe('Socket timeout of a camera pull; a silent camera is reconnected after it'),
    stall_s: seconds(2, 300).default(10).describe('A pipeline whose progress stops this long is restarted'),
    first_frame_s: seconds(2, 300).default(15).describe('A pipeline with no frame this long after it started is restarted'),
    backoff_s: z
      .array(seconds(0.1, 3600))
      .min(1)
      .default([1, 2, 4])
      .describe(
        'Delays between restarts of a failing pipeline, in steps; the last repeats. Only failures without a frame that repeat within 30 s climb the steps; a pipeline that delivered frames restarts at the first. A retry is one TCP connect to the camera or the RTMP server, so the last step stays short: the push is back within 5 s of the far end',
      ),
    start_timeout_s: seconds(1, 60)
      .default(8)
      .describe('VideoTransBegin waits this long for the first frame before answering with an error'),
    give_up_s: seconds(10, 86400)
      .default(120)
      .describe('An on-demand push that delivers no frame for this long (RTMP server refusing, camera gone) is stopped and its slot freed'),
    source_linger_s: seconds(0, 3600)
      .default(10)
      .describe('A camera pull with no outputs left stays open this long, so a quick stop/start does not reconnect'),
    push_url_max_age_s: seconds(5, 300)
      .default(300)
      .describe('A constant-push URL older than this is fetched again (GetPushAddress) before a (re)start (E-4.1: valid 5 min)'),
  })
  .describe('Media engine: FFmpeg, limits, tiers, recovery');

const ptz = z
  .strictObject({
    hold_s: seconds(5, 3600)
      .default(60)
      .describe('After a local PTZ command, province PTZ calls on that camera are refused this long (§6.3 road-section priority)'),
    keep_log_days: z.number().int().min(365).max(3650).default(400).describe('How long the PTZ log is kept (at least a year, §6.3)'),
    pulse_ms: z
      .number()
      .int()
      .min(100)
      .max(5000)
      .default(500)
      .describe('How long one pan/tilt/zoom/focus command moves an ONVIF camera before the gateway sends Stop'),
  })
  .describe('PTZ control');

const health = z
  .strictObject({
    probe_interval_s: z.number().int().min(5).max(3600).default(60).describe('How often each camera is probed for reachability'),
    probe_timeout_ms: z.number().int().min(100).max(30000).default(2000).describe('TCP connect timeout of a probe'),
    clock_sync_interval_s: z
      .number()
      .int()
      .min(60)
      .max(86400)
      .default(3600)
      .describe("How often every ONVIF camera's clock is set from the gateway's (UTC, Beijing time zone); new cameras are synced within 30 s"),
  })
  .describe('Camera reachability and clock sync');

// A host name or address chrony can poll, with an optional :PORT (IPv6 in brackets): no spaces or
// quotes, which would break its config file.
const ntpServer = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be a host name or IP address with an optional :PORT, e.g. 10.1.1.10 or 10.1.1.10:123');

const time = z
  .strictObject({
    servers: z
      .array(ntpServer)
      .default([])
      .describe("NTP servers this box's clock follows: the province's time service, or the section's Beidou server (seed 003 §5.4.3); written to chrony by `vcgw setup chrony`; `vcgw doctor` measures this box's offset from the first (default: the province's host, port 123)"),
    serve: z
      .array(cidr)
      .default([])
      .describe('Networks that may take their time from this gateway over NTP, usually the camera network (§5.4.3)'),
  })
  .describe("This box's clock (chrony): its time source and who may sync from it");

const outbox = z
  .strictObject({
    backoff_s: z
      .array(z.number().min(0.1).max(86400))
      .min(1)
      .default([1, 5, 10, 30, 60, 300])
      .describe('Retry delays in steps; the last one repeats (the outbox never drops a report)'),
    batch_max: z.number().int().min(1).max(100).default(100).describe('Items per report call'),
    probe_s: seconds(1, 600)
      .default(5)
      .describe(
        'While the province is unreachable, the oldest pending report is tried this often whatever its back-off; once any call gets through, everything pending is sent at once, oldest first',
      ),
    keep_delivered_days: z.number().int().min(1).max(3650).default(7).describe('How long delivered reports stay queryable'),
  })
  .describe('Durable outbox of reports to the province');

const gbCode = z.string().regex(/^\d{20}$/, 'must be 20 digits (GB/T 28181 code)');

const gb28181 = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Accept GB/T 28181 cameras and NVRs registering to this gateway (device side, SIP)'),
    sip_id: gbCode
      .default('44010000002000000001')
      .describe('SIP id of the gateway as devices are told to register to it (20 digits, type 200)'),
    domain: z
      .string()
      .regex(/^\d{10}$/, 'must be 10 digits (the first 10 of sip_id, by custom)')
      .default('4401000000')
      .describe('SIP domain (realm) of the gateway'),
    listen: hostPort.default('0.0.0.0:5060').describe('SIP listener (UDP and/or TCP on the same port)'),
    transport: z.enum(['udp', 'tcp', 'both']).default('both').describe('SIP transports accepted from devices'),
    password: z.string().default('').describe('Registration password shared by devices without an entry in passwords (empty: only devices listed there may register)'),
    passwords: z
      .record(gbCode, z.string().min(1))
      .default({})
      .describe('Per-device registration passwords, e.g. { "34020000001180000001" = "secret" }'),
    keepalive_timeout_s: seconds(5, 3600).default(60).describe('Expected keep-alive interval of a device (GB/T 28181 default 60 s)'),
    keepalive_misses: z.number().int().min(1).max(20).default(3).describe('A device is offline after this many keep-alive intervals without one; online again on the next'),
    max_expires_s: z.number().int().min(60).max(86400).default(3600).describe('Longest registration granted; a device asking more gets this'),
    catalog_timeout_s: seconds(1, 120).default(10).describe('A catalog query ends when no page has come for this long'),
    media_port_min: z.number().int().min(1024).max(65535).default(30000).describe('First port of the range used to receive GB media (RTP)'),
    media_port_max: z.number().int().min(1024).max(65535).default(30499).describe('Last port of that range'),
    stream_transport: z
      .enum(['udp', 'tcp-passive', 'tcp-active'])
      .default('udp')
      .describe('How devices send media: udp, tcp-passive (the gateway listens) or tcp-active (the gateway connects to the device)'),
    media_address: z
      .string()
      .regex(/^[0-9a-fA-F.:]+$/, 'must be an IP address')
      .optional()
      .describe("Address announced to devices in SDP and Contact (default: the SIP listen address, or this box's first external IPv4 when it listens on all addresses)")
      .meta({ example: '10.0.0.1' }),
  })
  .refine((g) => g.media_port_min < g.media_port_max, { message: 'media_port_min must be below media_port_max', path: ['media_port_max'] })
  .describe('GB/T 28181 device side: cameras and NVRs that register to the gateway');

/** Debian's fonts-noto-cjk (scripts/deps.sh); FFmpeg takes face 0 of the collection. */
/**
 * A fontconfig family, not the .ttc path: drawtext opens a font file at face 0, which in Debian's
 * NotoSansCJK-Regular.ttc is the Japanese face (some Chinese characters drawn in Japanese forms).
 */
export const DEFAULT_OVERLAY_FONT = 'Noto Sans CJK SC';

const overlay = z
  .strictObject({
    province_abbr: z
      .string()
      .regex(/^\p{Script=Han}$/u, 'must be one Chinese character, e.g. 粤')
      .optional()
      .describe("省份简称 that starts overlay line 1, e.g. 粤 (default: from each camera's areaCode, GB/T 2260)")
      .meta({ example: '粤' }),
    road_short_name: z
      .string()
      .min(1)
      .max(20)
      .optional()
      .describe("高速名称简称 as in the toll system, e.g. 京珠北 (default: each camera's roadSec without a trailing 路段/段)")
      .meta({ example: '京珠北' }),
    osd: z.boolean().default(true).describe("Write the overlay into every ONVIF camera's own OSD (at start, registration and record changes)"),
    burn_in: z.boolean().default(false).describe('Also draw the overlay into transcoded outputs (FFmpeg drawtext; copied streams keep the camera OSD)'),
    font: file.default(DEFAULT_OVERLAY_FONT).describe('Font of the burned-in text: a fontconfig family (default Noto Sans CJK SC, Debian fonts-noto-cjk) or a font file path starting with /'),
  })
  .describe('Overlay text (seed 003 Appendix B): 省份简称-高速编号-高速名称简称-场景 line, position line, time top right');

const quality = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Diagnose every camera\'s picture and report it (ReportCameraQuality, seed 003 §6.1.2 d)'),
    interval_s: seconds(60, 86400)
      .default(3600)
      .describe('How often every camera is diagnosed (its snapshot plus a burst of frames) and reported; a new anomaly seen on a 5-minute snapshot is diagnosed and reported at once'),
    burst_s: seconds(1, 10).default(2).describe('Seconds of video read for a diagnosis (frozen and flicker need a run of frames); from a running pull when there is one'),
    status_width: z
      .number()
      .int()
      .min(9)
      .max(16)
      .default(9)
      .describe('Length of cameraStatus: 9 flags (CONTRACT §3; the E-4.3 demo shows 10, padded with 0)'),
  })
  .describe('Image-quality diagnosis');

const snapshots = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Take a JPEG of every camera each interval_s, keep them and report them (ReportSnapshot)'),
    interval_s: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(300)
      .describe('One snapshot of every camera this often (seed 003 §6.4: 5 min); cameras are spread over the interval'),
    keep_days: z
      .number()
      .int()
      .min(7, 'must be at least 7 (seed 003 §6.4: snapshots are kept at least 7 days)')
      .max(3650)
      .default(7)
      .describe('Snapshots older than this are removed (at least 7 days, §6.4; the disk guard may remove older ones first)'),
    max_disk_percent: z
      .number()
      .min(10)
      .max(99)
      .default(90)
      .describe('When the filesystem of dir is fuller than this, the oldest snapshots are removed until it is not; a snapshot is skipped rather than fill the disk'),
    min_free_mb: z.number().int().min(0).max(1_000_000).default(512).describe('Likewise when less than this is free on the filesystem of dir'),
    dir: file
      .optional()
      .describe(
        'Where snapshots are written (default <data_dir>/snapshots; a relative path is taken from data_dir); a directory outside data_dir must be in ReadWritePaths of the systemd unit (systemd/vcgw.service lists /srv/vcgw-snapshots)',
      )
      .meta({ example: '/srv/vcgw-snapshots' }),
    url_ttl_s: z
      .number()
      .int()
      .min(300)
      .max(3650 * 86400)
      .default(7 * 86400)
      .describe('Lifetime of the signed snapshot URLs sent to the province (ReportSnapshot, ReportCameraQuality), fetchable without headers'),
    public_base_url: httpUrl
      .optional()
      .describe("Base of those URLs as the province reaches the gateway's HTTPS API, e.g. https://10.1.2.3:8443 (default: from api.listen, or this box's first external IPv4 when it listens on all addresses)")
      .meta({ example: 'https://10.1.2.3:8443' }),
    concurrency: z.number().int().min(1).max(32).default(4).describe('Snapshots taken at once'),
    timeout_s: z.number().min(1).max(60).default(10).describe('One capture (from a running pull, the ONVIF snapshot URI or a short pull) is abandoned after this'),
    jpeg_quality: z.number().int().min(2).max(31).default(3).describe('FFmpeg JPEG quality -q:v (2 best … 31 worst) of frames the gateway encodes itself'),
  })
  .describe('Snapshots (seed 003 §6.4, CONTRACT §7): a JPEG of at least CIF of every camera every interval, served over the HTTPS API under /snapshots/');

/** CSV cells and CLI flags are text: "true"/"false" are accepted beside TOML/JSON booleans. */
const flag = z
  .union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' })
  .transform((v) => v === true || v === 'true');

/** Appendix B facts the province record lacks (OverlayExtra in modules/overlay/overlay.ts); all optional. */
const overlayAccessShape = {
  travelDirection: z
    .enum(['东行', '西行', '南行', '北行'], { error: 'must be 东行, 西行, 南行 or 北行' })
    .optional()
    .describe('Overlay: travel direction of the carriageway the camera is on (公路行车方向); not for median cameras')
    .meta({ example: '南行' }),
  destination: z
    .string()
    .regex(/^往?.{1,20}(省|市|自治区|特别行政区)$/u, 'must name a province or city, e.g. 广州市 or 湖南省')
    .optional()
    .describe('Overlay: 往地名方向, the province or main city that carriageway leads to, e.g. 广州市')
    .meta({ example: '广州市' }),
  cameraIndex: z
    .string()
    .regex(/^[0-9A-Za-z]{1,8}$/, 'must be 1–8 letters or digits')
    .optional()
    .describe('Overlay: camera number, only when several cameras share one pile number')
    .meta({ example: '2' }),
  interchange: flag
    .optional()
    .describe('Overlay, classify 0: true when the camera watches an interchange named by poiName (××互通)')
    .meta({ example: false }),
  tollLayout: z
    .enum(['all-direction', 'mainline', 'one-way-ramp', 'diamond', 'lane'], {
      error: 'must be all-direction, mainline, one-way-ramp, diamond or lane',
    })
    .optional()
    .describe('Overlay, classify 1: toll-station plaza layout (lane: a lane/booth camera, text left to the toll software)')
    .meta({ example: 'all-direction' }),
  plazaSide: z
    .enum(['内', '外'], { error: 'must be 内 or 外' })
    .optional()
    .describe('Overlay, classify 1: 内 plaza nearer this road section, 外 farther')
    .meta({ example: '内' }),
  entryExit: z
    .enum(['入口', '出口'], { error: 'must be 入口 or 出口' })
    .optional()
    .describe('Overlay, classify 1 diamond layout: 入口 or 出口 plaza')
    .meta({ example: '入口' }),
  annex: flag
    .optional()
    .describe('Overlay, classify 1: true for the second plaza of the same direction and function (收费站名附属)')
    .meta({ example: false }),
  serviceObject: z
    .enum(['入口', '出口', '停车场', '加油站', '公共场所'], { error: 'must be 入口, 出口, 停车场, 加油站 or 公共场所' })
    .optional()
    .describe('Overlay, classify 2: what the camera watches in the service area')
    .meta({ example: '停车场' }),
  reserved: z
    .string()
    .max(40)
    .optional()
    .describe('Overlay: reserved bottom-left line (预留信息), e.g. the section between two interchanges')
    .meta({ example: '韶关—乐昌区间' }),
} as const;

/** Local access fields of a camera (never sent to the province). */
const streamRole = z.enum(['main', 'sub', 'third']);

export const cameraAccessShape = {
  ip: z.string().regex(/^[0-9a-fA-F.:]+$/, 'must be an IP address').optional().describe('Camera IP address'),
  onvifUrl: httpUrl.optional().describe('ONVIF device service, e.g. http://10.0.0.5/onvif/device_service'),
  onvifUser: z.string().optional().describe('ONVIF user'),
  onvifPassword: z.string().optional().describe('ONVIF password'),
  rtspMain: z.string().regex(/^rtsps?:\/\//, 'must be an rtsp:// URL').optional().describe('Main-stream RTSP URL'),
  rtspSub: z.string().regex(/^rtsps?:\/\//, 'must be an rtsp:// URL').optional().describe('Sub-stream RTSP URL'),
  rtspThird: z.string().regex(/^rtsps?:\/\//, 'must be an rtsp:// URL').optional().describe('Third-stream RTSP URL (cameras with a 720p third stream)'),
  encoder: z
    .enum(['gateway', 'camera'])
    .optional()
    .describe('Who encodes the 128 kbps / 1 Mbps outputs: gateway (FFmpeg) or camera (its own encoder, set over ONVIF, pushed by remux); default [media] encoder'),
  lowStream: streamRole.optional().describe('Camera stream the 128 kbps output is made from (default: the smallest stream of at least CIF)'),
  highStream: streamRole.optional().describe('Camera stream the 1 Mbps output is made from (default: the smallest stream of at least 720p)'),
  gbDeviceId: z.string().regex(/^\d{20}$/, 'must be 20 digits').optional().describe('GB/T 28181 device id'),
  gbChannelId: z.string().regex(/^\d{20}$/, 'must be 20 digits').optional().describe('GB/T 28181 channel id'),
  gbTransport: z
    .enum(['udp', 'tcp-passive', 'tcp-active'])
    .optional()
    .describe('GB/T 28181 media transport for this camera where it differs from [gb28181] stream_transport'),
  overlayText: z.string().max(200).optional().describe('On-screen text (§6.1.2 b)'),
  ...overlayAccessShape,
} as const;

/** How the gateway reaches a camera and what it draws on it (the access part of a camera; never sent to the province). */
export type CameraAccessFields = { -readonly [K in keyof typeof cameraAccessShape]?: Exclude<z.output<(typeof cameraAccessShape)[K]>, undefined> };

export const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;
export const cameraIdSchema = z
  .string()
  .regex(CAMERA_ID, 'must be 1–64 letters, digits, _ . + - (a short local name such as K1844+158-up)');

export const cameraConfigSchema = z
  .strictObject({
    id: cameraIdSchema.describe('Local short name, unique on this gateway'),
    ...cameraRecordShape,
    cameraNum: cameraNumSchema.optional().describe('Pin an existing registration; generated once when absent'),
    ...cameraAccessShape,
  })
  .superRefine(checkPileNum)
  .describe('Cameras provisioned at start (idempotent; keyed by id)');

export const configSchema = z
  .strictObject({
    gateway,
    province,
    api: api.default(() => api.parse({})),
    monitor: monitor.default(() => monitor.parse({})),
    metrics: metrics.default(() => metrics.parse({})),
    media: media.default(() => media.parse({})),
    ptz: ptz.default(() => ptz.parse({})),
    health: health.default(() => health.parse({})),
    time: time.default(() => time.parse({})),
    outbox: outbox.default(() => outbox.parse({})),
    overlay: overlay.default(() => overlay.parse({})),
    snapshots: snapshots.default(() => snapshots.parse({})),
    quality: quality.default(() => quality.parse({})),
    gb28181: gb28181.default(() => gb28181.parse({})),
    cameras: z.array(cameraConfigSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.cameras.forEach((cam, i) => {
      const first = seen.get(cam.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `duplicates cameras.${first}.id` });
      }
      seen.set(cam.id, i);
    });
  });

export type Config = z.output<typeof configSchema>;
export type OverlayConfig = z.output<typeof overlay>;
export type QualityConfig = z.output<typeof quality>;
export type SnapshotsConfig = z.output<typeof snapshots>;
export type Gb28181Config = z.output<typeof gb28181>;
export type CameraConfig = z.output<typeof cameraConfigSchema>;
