import t from 'tap';
import { receivePsStream } from '../../../src/protocols/ps/receiveStream.js';
import { PsRtpPacketizer } from '../../../src/protocols/ps/rtpPacketizer.js';
import { openRtpLink } from '../../../src/protocols/rtp/transport.js';
import { CIF, clipAus, muxClip, probeBytes } from './helpers.js';

t.test('a device restarting its stream with a new SSRC: the demuxer starts over and the caller is told', async (t) => {
  const frames = muxClip(await clipAus(CIF.h264), 25, { video: 'h264' });
  const ts: Buffer[] = [];
  let restarts = 0;
  let resolveDone: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const stream = await receivePsStream({
    link: { mode: 'udp' },
    ssrc: { expected: 1 },
    // One write per frame (each handed out at its RTP marker).
    onTs: (b) => {
      if (ts.push(b) === 55) resolveDone();
    },
    onRestart: () => restarts++,
  });
  t.teardown(() => stream.close());
  const tx = await openRtpLink({ mode: 'udp', remote: { address: '127.0.0.1', port: stream.link.localPort } });
  t.teardown(() => tx.close());
  // 30 frames from the first session, cut off mid-GOP; then the device starts again at a keyframe.
  const first = new PsRtpPacketizer({ ssrc: 1 });
  for (const f of frames.slice(0, 30)) tx.send(first.packetize(f.ps, f.pts));
  const second = new PsRtpPacketizer({ ssrc: 2, timestampOffset: 123_456 });
  for (const f of frames.slice(25)) tx.send(second.packetize(f.ps, f.pts));
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('frames missing')), 10_000).unref())]);
  t.equal(restarts, 1);
  t.equal(stream.stats().rtp.ssrc.changes, 1);
  const probe = await probeBytes(Buffer.concat(ts), 'mpegts');
  t.equal(probe.measure.codec, 'h264');
  t.ok(probe.decoded >= 50, `${probe.decoded} of 55 frames decode across the restart`);
});
