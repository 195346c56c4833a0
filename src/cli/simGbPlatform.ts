// `vcgw sim gb-platform`: an upper GB/T 28181 platform for the gateway's cascade (or a lower
// platform in the field): accepts a lower platform's registration, checks keep-alives, queries
// and checks its catalog (tree, codes), INVITEs a channel over each transport asked for and checks
// with ffprobe that the PS decodes; strictness switches reproduce what real upper platforms refuse.
import type { Command } from 'commander';
import { RTP_TRANSPORT_MODES, type RtpTransportMode } from '../protocols/rtp/transport.js';
import { GbUpperPlatformSim, type UpperStrictness } from '../sim/gbPlatform/index.js';
import { CliError, println, type CliContext } from './context.js';
import { untilSignal } from './run.js';
import { parseHostPort } from './hostPort.js';

const STRICT = ['call-id', 'codes', 'rport', 'subscription'] as const;

interface Opts {
  listen: string;
  serverId: string;
  domain?: string;
  lowerId: string;
  password: string;
  strict: string[];
  keepaliveCseq?: string;
  tcpOnly?: boolean;
  play: string[];
  playS: string;
  waitS: string;
  once?: boolean;
}

const code = (flag: string, v: string) => {
  if (!/^\d{20}$/.test(v)) throw new CliError(`${flag}: expected a 20-digit GB/T 28181 code, got ${v}`, 2);
  return v;
};

export function registerSimGbPlatformCommand(sim: Command, ctx: CliContext): void {
  sim
    .command('gb-platform')
    .description('an upper GB/T 28181 platform: registration with digest, keep-alive checks, catalog and code checks, INVITE with a decode check')
    .option('--listen <host:port>', 'SIP address (UDP and TCP)', '127.0.0.1:5060')
    .option('--server-id <id>', "this platform's SIP id", '44000000002000000001')
    .option('--domain <domain>', 'SIP domain (default: first 10 digits of --server-id)')
    .option('--lower-id <id>', 'the lower platform expected (the gateway: local_id of its [[cascade]])', '44020000002000000001')
    .option('--password <password>', 'its registration password', '12345678')
    .option('--strict <check>', `refuse what strict platforms refuse (repeatable): ${STRICT.join(', ')}`, (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--keepalive-cseq <method>', 'refuse keep-alives whose CSeq names another method')
    .option('--tcp-only', 'SIP over TCP only')
    .option('--play <transport>', `INVITE the first channel over this transport, our role (repeatable): ${RTP_TRANSPORT_MODES.join(', ')}`, (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--play-s <s>', 'seconds of video to receive per INVITE', '3')
    .option('--wait-s <s>', 'how long to wait for the registration', '120')
    .option('--once', 'run the checks once and exit (status 1 when one fails)')
    .action(async (o: Opts) => {
      const { host, port } = parseHostPort(o.listen, '--listen', '127.0.0.1:5060');
      const serverId = code('--server-id', o.serverId);
      const lowerId = code('--lower-id', o.lowerId);
      const strict: Partial<UpperStrictness> = { keepaliveCseqMethod: o.keepaliveCseq ?? null };
      for (const s of o.strict) {
        if (!(STRICT as readonly string[]).includes(s)) throw new CliError(`--strict: expected one of ${STRICT.join(', ')}, got ${s}`, 2);
        if (s === 'call-id') strict.callIdReuse = true;
        if (s === 'codes') strict.strictCodes = true;
        if (s === 'rport') strict.requireRport = true;
        if (s === 'subscription') strict.subscriptionDialogs = true;
      }
      for (const p of o.play) if (!(RTP_TRANSPORT_MODES as readonly string[]).includes(p)) throw new CliError(`--play: expected one of ${RTP_TRANSPORT_MODES.join(', ')}, got ${p}`, 2);
      const playS = Number(o.playS);
      const waitS = Number(o.waitS);
      if (!(playS > 0)) throw new CliError(`--play-s: expected seconds > 0, got ${o.playS}`, 2);
      if (!(waitS > 0)) throw new CliError(`--wait-s: expected seconds > 0, got ${o.waitS}`, 2);
      const sim = await GbUpperPlatformSim.start({ serverId, domain: o.domain ?? serverId.slice(0, 10), passwordOf: (id) => (id === lowerId ? o.password : undefined), host, port, tcpOnly: o.tcpOnly, strict });
      let failed = false;
      const fail = (msg: string) => {
        failed = true;
        println(ctx.stdout, `FAIL ${msg}`);
      };
      try {
        println(ctx.stdout, `upper platform ${serverId} on ${host}:${sim.port}; waiting for ${lowerId}`);
        await sim.until(() => sim.lowers.has(lowerId), waitS * 1000, `registration of ${lowerId}`);
        println(ctx.stdout, `registered: ${lowerId} from ${sim.lowers.get(lowerId)!.remote.address}:${sim.lowers.get(lowerId)!.remote.port}`);
        const cat = await sim.queryCatalog(lowerId);
        println(ctx.stdout, `catalog: ${cat.catalog.items.length}/${cat.catalog.sumNum} items in ${cat.catalog.pages} pages; ${cat.nodes.length} nodes, ${cat.channels.length} channels, ${cat.depth} levels`);
        for (const v of cat.violations) fail(`catalog: ${v}`);
        if (strict.subscriptionDialogs) {
          // The lower side must answer a catalog SUBSCRIBE with the catalog in NOTIFYs inside the subscription dialog.
          const status = await sim.subscribeCatalog(lowerId);
          const sub = [...sim.subscriptions.values()].at(-1);
          const items = () => sub?.notifies.reduce((n, x) => n + x.items, 0) ?? 0;
          if (status !== 200) fail(`catalog SUBSCRIBE answered ${status}`);
          else await sim.until(() => items() >= cat.catalog.items.length, waitS * 1000, 'the catalog in NOTIFYs').catch((err: Error) => fail(err.message));
          println(ctx.stdout, `subscription: ${items()} catalog items in ${sub?.notifies.length ?? 0} NOTIFYs in the dialog`);
        }
        const channel = cat.channels[0]?.deviceId;
        for (const transport of o.play as RtpTransportMode[]) {
          if (!channel) {
            fail('no channel to play');
            break;
          }
          try {
            const play = await sim.invite(lowerId, channel, transport);
            const first = await play.firstMedia;
            await new Promise((r) => setTimeout(r, playS * 1000));
            const probe = await play.probe();
            await play.bye();
            println(ctx.stdout, `play ${channel} over ${transport}: first media after ${Math.round(first)} ms; ${probe.codec} ${probe.fps} fps, ${probe.frames} frames decoded`);
            if (probe.frames === 0) fail(`play over ${transport}: nothing decoded`);
          } catch (err) {
            fail(`play over ${transport}: ${(err as Error).message}`);
          }
        }
        for (const r of sim.refusals) println(ctx.stdout, `refused: ${r}`);
        if (!o.once) {
          println(ctx.stdout, 'Answering keep-alives until Ctrl-C.');
          await untilSignal();
        }
      } finally {
        await sim.close();
      }
      if (failed) throw new CliError('some checks failed', 1);
    });
}
