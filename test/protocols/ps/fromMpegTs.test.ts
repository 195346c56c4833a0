// The cascade's direction: the engine's MPEG-TS (made by FFmpeg, as the engine's pull makes it)
// through the fan-out's GOP cache → TsToPs → RTP over a real UDP socket → PS that FFmpeg reads.
import t from 'tap';
import { TsFanout } from '../../../src/protocols/mpegts/fanout.js';
import { TsVideoDemuxer, type TsVideoUnit } from '../../../src/protocols/mpegts/demux.js';
import { TsToPs } from '../../../src/protocols/ps/fromMpegTs.js';
import { RtpReceiver } from '../../../src/protocols/rtp/receiver.js';
import { openRtpLink } from '../../../src/protocols/rtp/transport.js';
import { ffmpegTs, probeBytes } from './helpers.js';

t.test('TsVideoDemuxer takes FFmpeg TS back to frames with PTS and keyframe flags', async (t) => {
  const ts = await ffmpegTs('h264');
  const d = new TsVideoDemuxer();
  const frames: TsVideoUnit[] = [];
  for (let o = 0; o < ts.length; o += 1000) frames.push(...d.push(ts.subarray(o, o + 1000)));
  frames.push(...d.flush());
  t.equal(frames.length, 50);
  t.same(frames.flatMap((f, i) => (f.randomAccess ? [i] : [])), [0, 25]);
  t.same(new Set(frames.slice(1).map((f, i) => f.pts - frames[i]!.pts)), new Set([3600]));
});

for (const codec of ['h264', 'h265'] as const) {
  t.test(`${codec}: an upper platform joining late gets PS from the cached keyframe at once`, async (t) => {
    const ts = await ffmpegTs(codec);
    const fanout = new TsFanout();
    // The camera has been streaming: the fan-out holds the GOP that started at frame 25.
    const joinAt = Math.floor((ts.length * 0.6) / 188) * 188;
    fanout.push(ts.subarray(0, joinAt));
    t.equal(fanout.ready, true);

    const rxLink = await openRtpLink({ mode: 'udp' });
    const receiver = new RtpReceiver(rxLink);
    t.teardown(() => receiver.close());
    const txLink = await openRtpLink({ mode: 'udp', remote: { address: '127.0.0.1', port: rxLink.localPort } });
    t.teardown(() => txLink.close());
    const ps: Buffer[] = [];
    const timestamps: number[] = [];
    let frames = 0;
    let resolveDone: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    receiver.on('rtp', (p) => {
      ps.push(Buffer.from(p.payload));
      if (p.marker) {
        timestamps.push(p.timestamp);
        if (++frames === 10) resolveDone();
      }
    });
    const sink = new TsToPs((pkts) => txLink.send(pkts), { ssrc: 100000001 });
    fanout.subscribe(sink);
    // ...and the camera goes on.
    fanout.push(ts.subarray(joinAt));
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${frames} frames`)), 10_000).unref())]);
    t.equal(sink.stats.beforeFirstKey, 0, 'the first frame sent is the cached keyframe');
    t.same(new Set(timestamps.slice(1).map((ts, i) => ts - timestamps[i]!)), new Set([3600]), 'RTP timestamps are the source PTS');
    const probe = await probeBytes(Buffer.concat(ps), 'mpeg');
    t.same([probe.measure.codec, probe.measure.width, probe.measure.height, probe.measure.fps], [codec === 'h264' ? 'h264' : 'hevc', 352, 288, 25]);
    t.equal(probe.measure.keyframeFirst, true);
    t.equal(probe.decoded, 10, 'every frame decodes');
    sink.end();
    t.equal(sink.destroyed, true);
  });
}

t.test('a refused send skips to the next keyframe instead of sending frames that cannot decode', async (t) => {
  const ts = await ffmpegTs('h264');
  let calls = 0;
  // The 6th frame is refused (the peer is too far behind); everything else goes.
  const sink = new TsToPs(() => calls++ !== 5, { ssrc: 1 });
  sink.write(ts);
  t.equal(sink.stats.refused, 1);
  t.equal(sink.stats.skippedToKey, 19, 'frames 6–24 skipped, sending resumes at the keyframe at 25');
  t.equal(sink.stats.frames, 5 + 24, 'frames 0–4 and 25–48 (the last waits for its end)');
});
