// `vcgw sim gb-device`: a GB/T 28181 camera or NVR registering to a platform (this gateway, or one
// in the field for joint debugging), keeping alive, answering queries and streaming PS over RTP on
// INVITE, with real devices' quirks switchable.
import type { Command } from 'commander';
import type { TransportName } from '../protocols/sip/index.js';
import { SUB_CIF_H264, type ClipSpec } from '../sim/camera/index.js';
import { GbCameraSim, type GbDeviceQuirks } from '../sim/gb28181/index.js';
import type { GbMediaQuirks } from '../sim/gb28181/mediaStreamer.js';
import { CliError, println, type CliContext } from './context.js';
import { untilSignal } from './run.js';
import { parseHostPort } from './hostPort.js';

const QUIRKS = ['reuse-call-id', 'keepalive-cseq-notify', 'gb2312-catalog', 'behind-nat', 'g711-audio', 'long-gop', 'ssrc-mismatch'] as const;
type Quirk = (typeof QUIRKS)[number];

function quirksOf(list: readonly string[]): { signalling: Partial<GbDeviceQuirks>; media: GbMediaQuirks } {
  const signalling: Partial<GbDeviceQuirks> = {};
  const media: GbMediaQuirks = {};
  for (const q of list) {
    if (!(QUIRKS as readonly string[]).includes(q)) throw new CliError(`--quirk: expected one of ${QUIRKS.join(', ')}, got ${q}`, 2);
    switch (q as Quirk) {
      case 'reuse-call-id':
        signalling.reuseCallId = true;
        break;
      case 'keepalive-cseq-notify':
        signalling.keepaliveCseqMethod = 'NOTIFY';
        break;
      case 'gb2312-catalog':
        signalling.gb2312Catalog = true;
        break;
      case 'behind-nat':
        signalling.behindNat = true;
        break;
      case 'g711-audio':
        media.g711Audio = true;
        break;
      case 'long-gop':
        media.longGop = true;
        break;
      case 'ssrc-mismatch':
        media.streamSsrc = 0x7fff_0001;
        break;
    }
  }
  return { signalling, media };
}

function code(flag: string, value: string): string {
  if (!/^\d{20}$/.test(value)) throw new CliError(`${flag}: expected 20 digits, got ${value}`, 2);
  return value;
}

interface Opts {
  registrar: string;
  serverId: string;
  domain?: string;
  deviceId: string;
  password: string;
  channels: string;
  transport: string;
  codec: string;
  expires: string;
  keepalive: string;
  edition?: string;
  quirk: string[];
}

export function registerSimGbCommand(sim: Command, ctx: CliContext): void {
  sim
    .command('gb-device')
    .description('a GB/T 28181 camera (--channels 0) or NVR registering to a platform: digest, keep-alive, catalogue, PS over RTP on INVITE')
    .option('--registrar <host:port>', "the platform's SIP address", '127.0.0.1:5060')
    .option('--server-id <id>', "the platform's SIP id", '44010000002000000001')
    .option('--domain <domain>', 'SIP domain (default: first 10 digits of --server-id)')
    .option('--device-id <id>', 'this device (type 118 NVR, 132 IP camera)', '44010000001180000001')
    .option('--password <password>', 'registration password', '12345678')
    .option('--channels <n>', 'video channels: 0 for a camera, N for an NVR', '4')
    .option('--transport <udp|tcp>', 'SIP transport', 'udp')
    .option('--codec <h264|h265>', 'video codec streamed (CIF clip)', 'h264')
    .option('--expires <s>', 'registration expiry asked', '3600')
    .option('--keepalive <s>', 'keep-alive interval', '60')
    .option('--edition <2016|2022>', '2022 sends X-GB-Ver: 3.0')
    .option('--quirk <name>', `a real device's quirk (repeatable): ${QUIRKS.join(', ')}`, (v: string, prev: string[]) => [...prev, v], [] as string[])
    .addHelpText('after', '\nExample:\n  vcgw sim gb-device --registrar 10.0.0.1:5060 --channels 16 --transport tcp --quirk gb2312-catalog --quirk g711-audio')
    .action(async (o: Opts) => {
      const { host, port } = parseHostPort(o.registrar, '--registrar', '10.0.0.1:5060');
      const serverId = code('--server-id', o.serverId);
      const deviceId = code('--device-id', o.deviceId);
      const channels = Number(o.channels);
      if (!Number.isInteger(channels) || channels < 0 || channels > 512) throw new CliError(`--channels: expected an integer 0–512, got ${o.channels}`, 2);
      if (o.transport !== 'udp' && o.transport !== 'tcp') throw new CliError(`--transport: expected udp or tcp, got ${o.transport}`, 2);
      if (o.codec !== 'h264' && o.codec !== 'h265') throw new CliError(`--codec: expected h264 or h265, got ${o.codec}`, 2);
      if (o.edition !== undefined && o.edition !== '2016' && o.edition !== '2022') throw new CliError(`--edition: expected 2016 or 2022, got ${o.edition}`, 2);
      const expires = Number(o.expires);
      const keepalive = Number(o.keepalive);
      if (!Number.isInteger(expires) || expires < 10) throw new CliError(`--expires: expected seconds ≥ 10, got ${o.expires}`, 2);
      if (!(keepalive >= 1)) throw new CliError(`--keepalive: expected seconds ≥ 1, got ${o.keepalive}`, 2);
      const quirks = quirksOf(o.quirk);
      const clip: ClipSpec = { ...SUB_CIF_H264, codec: o.codec };
      const cam = await GbCameraSim.start({
        deviceId,
        password: o.password,
        registrar: { address: host, port, transport: o.transport.toUpperCase() as TransportName, serverId, domain: o.domain ?? serverId.slice(0, 10) },
        channels,
        quirks: quirks.signalling,
        media: quirks.media,
        clip,
        ...(o.edition ? { edition: o.edition } : {}),
        log: (level, msg, fields) => level !== 'debug' && println(ctx.stderr, `${level}: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}`),
      });
      try {
        const outcome = await cam.device.register(expires);
        if (!outcome.ok) throw new CliError(`registration refused: ${outcome.status} ${outcome.reason}`, 1);
        cam.device.startKeepalive(keepalive * 1000);
        println(ctx.stdout, `registered ${deviceId} to ${o.registrar} over ${o.transport.toUpperCase()} (expires ${outcome.expires} s${outcome.serverDate ? `, platform time ${outcome.serverDate}` : ''})`);
        println(ctx.stdout, `channels: ${cam.device.channelIds().join(' ')}`);
        println(ctx.stdout, 'Answering queries and INVITEs until Ctrl-C.');
        await untilSignal();
        await cam.device.unregister().catch(() => undefined);
      } finally {
        await cam.close();
      }
    });
}
