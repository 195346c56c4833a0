// `vcgw sim province …`: run the provincial-platform simulator and drive a running one.
import fs from 'node:fs';
import type { Command } from 'commander';
import pino from 'pino';
import { REDACT_PATHS } from '../log.js';
import { buildCallBody, CallFieldError, type CallFields } from '../sim/province/call-body.js';
import { SimControlClient } from '../sim/province/control-client.js';
import { GATEWAY_CALLS, isGatewayCall } from '../sim/province/caller.js';
import { certFingerprint256, startProvinceSim, type ProvinceSimOptions } from '../sim/province/index.js';
import { OUTAGE_MODES, type OutageMode } from '../sim/province/types.js';
import { parseHostPort } from './hostPort.js';
import { registerSimMediaCommands } from './simMedia.js';
import { registerSimGbCommand } from './simGb.js';
import { registerSimGbPlatformCommand } from './simGbPlatform.js';
import { CliError, println, table, type CliContext, type RegisterCommand } from './context.js';

const DEFAULT_LISTEN = '127.0.0.1:9443';
const DEFAULT_SIM = `https://${DEFAULT_LISTEN}`;

const CALL_FLAGS: Record<keyof CallFields, string> = {
  cameras: '--camera',
  videoType: '--video-type',
  serverIp: '--server-ip',
  serverPort: '--server-port',
  pubName: '--pub-name',
  authInfo: '--auth-info',
  action: '--action',
  step: '--step',
};

interface ServeOpts {
  listen: string;
  deviceCode: string;
  user: string;
  token: string;
  publicKey?: string;
  publicKeyFile?: string;
  cert?: string;
  key?: string;
  clientCa?: string;
  gateway?: string;
  gatewayCa?: string;
  rtmpBase?: string;
  publishCheck?: string;
  pushUrlTtl?: string;
  record?: string;
  analyseKey?: string;
  graceMs?: string;
  rejectCamera: string[];
  logLevel: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function readFlagFile(flag: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`${flag}: cannot read ${file}: ${(err as Error).message}`, 2);
  }
}

function simUrl(value: string): string {
  if (!/^https:\/\/[^/\s]+/.test(value) || !URL.canParse(value)) {
    throw new CliError(`--sim: expected the sim's https:// URL such as ${DEFAULT_SIM}, got ${value}`, 2);
  }
  return value;
}

function serveOptions(o: ServeOpts, ctx: CliContext): ProvinceSimOptions {
  if ((o.publicKey === undefined) === (o.publicKeyFile === undefined)) {
    throw new CliError('--public-key / --public-key-file: give exactly one of them', 2);
  }
  if ((o.cert === undefined) !== (o.key === undefined)) throw new CliError('--cert / --key: give both or neither', 2);
  const graceMs = o.graceMs === undefined ? undefined : Number(o.graceMs);
  if (graceMs !== undefined && !(Number.isInteger(graceMs) && graceMs >= 0)) {
    throw new CliError(`--grace-ms: expected milliseconds ≥ 0, got ${o.graceMs}`, 2);
  }
  if (o.gateway !== undefined && (!/^https?:\/\//.test(o.gateway) || !URL.canParse(o.gateway))) {
    throw new CliError(`--gateway: expected the gateway's https:// base URL, got ${o.gateway}`, 2);
  }
  if (o.rtmpBase !== undefined && !/^rtmps?:\/\/[^/\s]+/.test(o.rtmpBase)) {
    throw new CliError(`--rtmp-base: expected an rtmp:// URL, got ${o.rtmpBase}`, 2);
  }
  const ttl = Number(o.pushUrlTtl ?? 300);
  if (!(Number.isInteger(ttl) && ttl >= 1)) throw new CliError(`--push-url-ttl: expected seconds ≥ 1, got ${o.pushUrlTtl}`, 2);
  const log = pino(
    { level: o.logLevel, base: { svc: 'vcgw-sim' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    ctx.stderr,
  );
  return {
    listen: parseHostPort(o.listen, '--listen', DEFAULT_LISTEN),
    deviceCode: o.deviceCode,
    user: o.user,
    initialToken: o.token,
    sm2PublicKey: o.publicKey ?? readFlagFile('--public-key-file', o.publicKeyFile!),
    ...(o.cert && o.key ? { tls: { cert: readFlagFile('--cert', o.cert), key: readFlagFile('--key', o.key) } } : {}),
    ...(o.clientCa ? { clientCa: readFlagFile('--client-ca', o.clientCa) } : {}),
    ...(o.gatewayCa ? { gatewayCa: readFlagFile('--gateway-ca', o.gatewayCa) } : {}),
    gatewayUrl: o.gateway,
    rtmpBase: o.rtmpBase,
    pushUrlTtlS: ttl,
    ...(o.publishCheck ? { publishCheck: parseHostPort(o.publishCheck, '--publish-check', DEFAULT_LISTEN) } : {}),
    recordFile: o.record,
    analyseKey: o.analyseKey,
    tokenGraceMs: graceMs,
    rejectCameraNums: o.rejectCamera,
    log,
  };
}

async function serve(o: ServeOpts, ctx: CliContext): Promise<void> {
  const options = serveOptions(o, ctx);
  let sim;
  try {
    sim = await startProvinceSim(options);
  } catch (err) {
    throw new CliError((err as Error).message, /sm2PublicKey/.test((err as Error).message) ? 2 : 1);
  }
  println(ctx.stdout, `province sim listening on ${sim.url}`);
  println(ctx.stdout, `certificate SHA-256 fingerprint: ${certFingerprint256(sim.certPem)}`);
  println(ctx.stdout, `accepting gateway ${o.deviceCode} (user ${o.user}); gateway API: ${o.gateway ?? 'not set'}`);
  if (sim.publishCheckUrl) println(ctx.stdout, `RTMP publish check (nginx on_publish): ${sim.publishCheckUrl}`);
  println(ctx.stdout, 'stop with Ctrl-C');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  println(ctx.stdout, 'province sim stopped');
}

async function withClient<T>(url: string, fn: (c: SimControlClient) => Promise<T>): Promise<T> {
  const client = new SimControlClient(simUrl(url));
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError((err as Error).message, 1);
  } finally {
    await client.close();
  }
}

function envelopeOf(body: unknown): { code?: unknown; msg?: unknown } {
  return typeof body === 'object' && body !== null ? (body as { code?: unknown; msg?: unknown }) : {};
}

export const registerSimCommand: RegisterCommand = (program: Command, ctx: CliContext) => {
  const sim = program.command('sim').description('simulators of the systems around the gateway, for tests and rehearsals');
  registerSimMediaCommands(sim, ctx);
  registerSimGbCommand(sim, ctx);
  registerSimGbPlatformCommand(sim, ctx);
  const province = sim
    .command('province')
    .description('the provincial video-cloud platform (Appendix E), speaking the real HTTPS interface');

  province
    .command('serve')
    .description('run the simulated platform until Ctrl-C / SIGTERM')
    .option('--listen <host:port>', 'address to listen on', DEFAULT_LISTEN)
    .requiredOption('--device-code <code>', 'the gateway device code the platform accepts, e.g. vg-108121')
    .requiredOption('--user <user>', 'the user issued with the device code')
    .requiredOption('--token <token>', 'the initial token issued offline')
    .option('--public-key <hex>', "the gateway's SM2 public key, 04… (130 hex digits)")
    .option('--public-key-file <pem>', "the gateway's SM2 public key as a PEM file")
    .option('--cert <file>', 'server certificate PEM (default: a generated self-signed one)')
    .option('--key <file>', 'server private key PEM')
    .option('--client-ca <file>', 'require client certificates issued by this CA (mutual TLS)')
    .option('--gateway <url>', "the gateway's API base URL, for `call`, e.g. https://127.0.0.1:8443")
    .option('--gateway-ca <file>', "CA to verify the gateway's certificate (default: not verified)")
    .option('--rtmp-base <url>', 'base of the push URLs handed out', 'rtmp://127.0.0.1:1935/rtmp')
    .option('--publish-check <host:port>', "answer the RTMP server's on_publish at http://HOST:PORT/rtmp/on_publish (see `vcgw sim rtmp serve --on-publish`)")
    .option('--push-url-ttl <s>', 'how long a GetPushAddress URL stays valid (E-4.1: 300)', '300')
    .option('--record <file>', 'append every received request to this JSON-lines file')
    .option('--analyse-key <key>', 'check ReportAnalyse sign = md5(key + dateTime)')
    .option('--grace-ms <ms>', 'how long the previous token stays valid after a rotation', '60000')
    .option('--reject-camera <cameraNum>', 'answer VideoInformation status 1 for this camera (repeatable)', collect, [])
    .option('--log-level <level>', 'log level of the JSON log on stderr', 'info')
    .addHelpText(
      'after',
      `\nExample:\n  vcgw sim province serve --device-code vg-108121 --user Jzbgs --token FhpQWdqdShB1ZJ1u \\\n    --public-key-file gateway-sm2.pub.pem --gateway https://127.0.0.1:8443 --record sim.jsonl`,
    )
    .action((o: ServeOpts) => serve(o, ctx));

  province
    .command('received')
    .description('list the requests the running sim received')
    .option('--sim <url>', 'the running sim', DEFAULT_SIM)
    .option('--path <path>', 'only this interface, e.g. video.ReportCameraStatus or /service/token')
    .option('--since <seq>', 'only requests after this sequence number')
    .option('--json', 'JSON for scripts')
    .action(async (o: { sim: string; path?: string; since?: string; json?: boolean }) => {
      const since = o.since === undefined ? undefined : Number(o.since);
      if (since !== undefined && !Number.isInteger(since)) throw new CliError(`--since: expected a number, got ${o.since}`, 2);
      const path = o.path === undefined || o.path.startsWith('/') ? o.path : `/service/${o.path}`;
      const list = await withClient(o.sim, (c) => c.received({ path, since }));
      if (o.json) return println(ctx.stdout, JSON.stringify(list));
      const rows = list.map((r) => ({ ...r, time: new Date(r.at).toISOString() }));
      println(ctx.stdout, table(rows, ['seq', 'time', 'method', 'path', 'code', 'msg']));
    });

  province
    .command('call <call>')
    .description(`make a platform call to the gateway: ${Object.keys(GATEWAY_CALLS).join(', ')}`)
    .option('--sim <url>', 'the running sim', DEFAULT_SIM)
    .option('--body <json>', 'the exact JSON body (instead of the field flags)')
    .option('--camera <cameraNum>', 'camera (repeatable for NetworkCheck)', collect, [])
    .option('--video-type <n>', '0 low, 1 high, 2 4M, 3 source (default 0)')
    .option('--server-ip <ip>', 'RTMP server for VideoTransBegin (default 127.0.0.1)')
    .option('--server-port <port>', 'RTMP port for VideoTransBegin (default 1935)')
    .option('--pub-name <name>', 'stream name for VideoTransBegin (default the camera number)')
    .option('--auth-info <query>', 'auth query string for VideoTransBegin')
    .option('--action <n>', 'PTZ action 1–12')
    .option('--step <n>', 'PTZ step 1–8 (default 4)')
    .option('--json', 'print {httpStatus, body} as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  vcgw sim province call VideoTransBegin --camera aef89ecc-4cc6-4a6d-80fd-283196105b0b --video-type 1\n  vcgw sim province call CheckGateway\n  vcgw sim province call NetworkCheck --body \'{"cameras":[]}\'',
    )
    .action(async (call: string, o: CallFields & { sim: string; body?: string; camera: string[]; json?: boolean }) => {
      if (!isGatewayCall(call)) {
        throw new CliError(`CALL: expected one of ${Object.keys(GATEWAY_CALLS).join(', ')}, got ${call}`, 2);
      }
      const fields: CallFields = { ...o, cameras: o.camera };
      let body: unknown;
      if (o.body !== undefined) {
        const used = (Object.keys(CALL_FLAGS) as Array<keyof CallFields>).filter((k) =>
          k === 'cameras' ? fields.cameras.length > 0 : fields[k] !== undefined,
        );
        if (used.length > 0) throw new CliError(`--body: cannot be combined with ${CALL_FLAGS[used[0]!]}`, 2);
        try {
          body = JSON.parse(o.body) as unknown;
        } catch (err) {
          throw new CliError(`--body: not valid JSON: ${(err as Error).message}`, 2);
        }
      } else {
        try {
          body = buildCallBody(call, fields);
        } catch (err) {
          if (err instanceof CallFieldError) throw new CliError(`${CALL_FLAGS[err.field]}: ${err.message}`, 2);
          throw err;
        }
      }
      const reply = await withClient(o.sim, (c) => c.call(call, body));
      println(ctx.stdout, o.json ? JSON.stringify(reply) : `HTTP ${reply.httpStatus}\n${JSON.stringify(reply.body, null, 2)}`);
      const { code, msg } = envelopeOf(reply.body);
      if (reply.httpStatus !== 200 || (code !== 200 && code !== 201)) {
        throw new CliError(`the gateway answered HTTP ${reply.httpStatus}, code ${String(code)}: ${String(msg ?? '')}`, 1);
      }
    });

  province
    .command('down <on|off>')
    .description('simulate a platform outage: while on, every /service/* request gets no answer (see --mode)')
    .option('--sim <url>', 'the running sim', DEFAULT_SIM)
    .option('--mode <mode>', `drop (socket closed), 503 (a proxy answers 503), hang (never answered), refuse (port closed; needs --for)`, 'drop')
    .option('--for <seconds>', 'end the outage by itself after this long')
    .action(async (state: string, o: { sim: string; mode: string; for?: string }) => {
      if (state !== 'on' && state !== 'off') throw new CliError(`on|off: expected on or off, got ${state}`, 2);
      if (!(OUTAGE_MODES as readonly string[]).includes(o.mode)) throw new CliError(`--mode: expected one of ${OUTAGE_MODES.join(', ')}, got ${o.mode}`, 2);
      const forS = o.for === undefined ? undefined : Number(o.for);
      if (forS !== undefined && !(forS > 0)) throw new CliError(`--for: expected a number of seconds > 0, got ${o.for}`, 2);
      await withClient(o.sim, (c) => c.setDown(state === 'on', o.mode as OutageMode, forS));
      println(ctx.stdout, state === 'on' ? 'province sim is DOWN: /service/* requests are dropped' : 'province sim is UP');
    });

  province
    .command('expire-tokens')
    .description("invalidate the gateway's tokens: its next call gets 403 and it must fetch a new token")
    .option('--sim <url>', 'the running sim', DEFAULT_SIM)
    .action(async (o: { sim: string }) => {
      await withClient(o.sim, (c) => c.expireTokens());
      println(ctx.stdout, 'every token expired; the token call still accepts the last one with a valid signature');
    });

  province
    .command('cameras')
    .description('list the cameras the gateway registered with the sim')
    .option('--sim <url>', 'the running sim', DEFAULT_SIM)
    .option('--json', 'JSON for scripts')
    .action(async (o: { sim: string; json?: boolean }) => {
      const list = await withClient(o.sim, (c) => c.cameras());
      if (o.json) return println(ctx.stdout, JSON.stringify(list));
      println(ctx.stdout, table(list, ['cameraNum', 'cameraName', 'pileNum', 'pushType', 'hasControl']));
    });
};
