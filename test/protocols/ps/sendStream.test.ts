// The cascade's sending end against a GB receiving end, over each transport: the engine's TS
// (made by FFmpeg) from the fan-out's GOP cache → sendPsStream → real sockets → receivePsStream → TS
// that ffprobe decodes. Upper platforms ask either side of TCP (seed 000: TCP passive streams).
import t from 'tap';
import { TsFanout } from '../../../src/protocols/mpegts/fanout.js';
import { receivePsStream, type PsStreamReceiver } from '../../../src/protocols/ps/receiveStream.js';
import { sendPsStream, type PsStreamSender } from '../../../src/protocols/ps/sendStream.js';
import type { RtpTransportMode } from '../../../src/protocols/rtp/transport.js';
import { ffmpegTs, probeBytes } from './helpers.js';

const opposite: Record<RtpTransportMode, RtpTransportMode> = { udp: 'udp', 'tcp-active': 'tcp-passive', 'tcp-passive': 'tcp-active' };

for (const ours of ['udp', 'tcp-active', 'tcp-passive'] as const) {
  t.test(`we send over ${ours}: the upper side decodes from the cached keyframe; hanging up ends the sender`, async (t) => {
    const ts = await ffmpegTs('h264');
    const fanout = new TsFanout();
    const joinAt = Math.floor((ts.length * 0.6) / 188) * 188;
    fanout.push(ts.subarray(0, joinAt));

    const got: Buffer[] = [];
    let resolveDone: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const onTs = (b: Buffer): void => {
      if (got.length < 10 && got.push(b) === 10) resolveDone();
    };
    let upper: PsStreamReceiver;
    let sender: PsStreamSender;
    if (ours === 'tcp-passive') {
      // We listen (the platform's SDP said setup:active): the platform connects to us.
      sender = await sendPsStream({ link: { mode: ours }, ssrc: 100000001 });
      upper = await receivePsStream({ link: { mode: 'tcp-active', remote: { address: '127.0.0.1', port: sender.link.localPort } }, onTs });
      await sender.link.waitReady(5000);
    } else {
      upper = await receivePsStream({ link: { mode: opposite[ours] }, onTs });
      sender = await sendPsStream({ link: { mode: ours, remote: { address: '127.0.0.1', port: upper.link.localPort } }, ssrc: 100000001 });
    }
    t.teardown(() => Promise.all([upper.close(), sender.close()]));
    fanout.subscribe(sender.sink);
    fanout.push(ts.subarray(joinAt));
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${got.length} frames`)), 10_000).unref())]);
    const probe = await probeBytes(Buffer.concat(got), 'mpegts');
    t.same([probe.measure.codec, probe.measure.width, probe.measure.height, probe.measure.fps], ['h264', 352, 288, 25]);
    t.equal(probe.measure.keyframeFirst, true, 'the first frame the upper side gets is the cached keyframe');
    t.equal(probe.decoded, 10);
    t.equal(upper.stats().rtp.ssrc.current, 100000001, 'sent with the SSRC of the y= line');
    if (ours === 'udp') {
      await sender.close();
      t.equal(sender.sink.destroyed, true, 'closing the sender takes it off the fan-out');
    } else {
      await upper.close();
      await sender.ended;
      t.equal(sender.sink.destroyed, true, 'the platform hanging up ends the sender');
    }
  });
}
