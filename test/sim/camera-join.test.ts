// What the camera puts on the wire, seen through a raw RTSP client: where a client joins, the RTP
// it gets, the pacing, and what happens to a client that stops reading.
import fs from 'node:fs/promises';
import t from 'tap';
import { nalType, parseClip } from '../../src/protocols/h26x/annexb.js';
import { ensureClip, MAIN_1080P_H264, SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { decodeRtp } from '../../src/protocols/rtp/packet.js';
import { RtpDepacketizer, type DepacketizedUnit } from '../../src/sim/camera/rtp.js';
import { CIF_H265, RawRtspClient, startCamera, waitUntil, withTimeout, type InterleavedFrame } from './camera-helpers.js';

interface ReceivedAu extends DepacketizedUnit {
  key: boolean;
  at: number;
}

/** NTP timestamp of an RTCP sender report, in Unix milliseconds. */
function ntpMs(sr: Buffer): number {
  return (sr.readUInt32BE(8) - 2_208_988_800) * 1000 + (sr.readUInt32BE(12) / 2 ** 32) * 1000;
}

/** Rebuilds access units from a client's RTP frames (channel 0), with their arrival time. */
function accessUnits(frames: InterleavedFrame[], codec: 'h264' | 'h265' = 'h264'): ReceivedAu[] {
  const depack = new RtpDepacketizer(codec);
  const out: ReceivedAu[] = [];
  for (const f of frames) {
    if (f.channel !== 0) continue;
    const unit = depack.push(decodeRtp(f.data));
    if (unit) {
      const types = unit.nals.map((n) => nalType(codec, n));
      out.push({ ...unit, at: f.at, key: codec === 'h264' ? types.includes(5) : types.some((ty) => ty >= 16 && ty <= 21) });
    }
  }
  return out;
}

t.test('PLAY starts at a key frame with SPS/PPS first; RTP-Info, SSRC, timestamps, markers and pacing agree', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }] });
  const c = await RawRtspClient.connect(t, cam.port);
  const { describe, setup, play } = await c.play(cam.url('sub'));
  t.equal(describe.headers.get('content-type'), 'application/sdp');
  t.match(describe.body, /a=rtpmap:96 H264\/90000/);
  t.match(describe.body, /a=fmtp:96 packetization-mode=1;profile-level-id=64[0-9A-F]{4};sprop-parameter-sets=Z[A-Za-z0-9+/=]+,aO[A-Za-z0-9+/=]+/);
  t.match(describe.body, /a=control:trackID=0/);
  t.match(describe.body, /a=framerate:25/);
  const ssrc = /ssrc=([0-9A-F]{8})/.exec(setup.headers.get('transport') ?? '')?.[1];
  t.match(setup.headers.get('transport'), /^RTP\/AVP\/TCP;unicast;interleaved=0-1;ssrc=[0-9A-F]{8}/);
  const info = /url=(\S+);seq=(\d+);rtptime=(\d+)/.exec(play.headers.get('rtp-info') ?? '');
  t.ok(info, `RTP-Info: ${play.headers.get('rtp-info')}`);
  t.equal(info?.[1], `${cam.url('sub')}/trackID=0`);

  const frames = await c.waitForFrames(0, 120, 10_000);
  const first = decodeRtp(frames[0]!.data);
  t.equal(nalType('h264', first.payload), 7, 'the very first packet is the SPS');
  t.equal(first.sequence, Number(info?.[2]), 'first sequence number is the one announced in RTP-Info');
  t.equal(first.timestamp, Number(info?.[3]), 'first timestamp is the one announced in RTP-Info');
  t.equal(first.ssrc.toString(16).toUpperCase().padStart(8, '0'), ssrc, 'SSRC as announced in Transport');

  const sr = c.frames.find((f) => f.channel === 1);
  t.ok(sr && sr.data[1] === 200 && sr.data.readUInt32BE(4) === first.ssrc, 'an RTCP sender report on the odd channel');
  t.equal(sr?.data.readUInt32BE(16), first.timestamp, 'it maps the first picture\u2019s timestamp to wall-clock time');

  const packets = frames.map((f) => decodeRtp(f.data));
  t.ok(packets.every((p, i) => i === 0 || p.sequence === ((packets[i - 1]!.sequence + 1) & 0xffff)), 'sequence numbers are consecutive');
  const aus = accessUnits(frames);
  t.ok(aus[0]!.key, 'the first access unit is an IDR');
  t.ok(aus.length >= 25);
  t.ok(aus.every((au, i) => i === 0 || au.timestamp - aus[i - 1]!.timestamp === 3600), '90 kHz, 25 fps: +3600 per picture');
  const lastTs = packets.map((p, i) => (p.marker ? i : -1)).filter((i) => i >= 0);
  t.ok(lastTs.every((i) => i === packets.length - 1 || packets[i + 1]!.timestamp !== packets[i]!.timestamp), 'the marker closes each access unit');
  const span = aus[24]!.at - aus[0]!.at;
  t.ok(span > 700 && span < 1500, `25 pictures arrive over ~1 s of wall clock, not in a burst (${span.toFixed(0)} ms)`);
});

t.test('a client joining mid-GOP gets nothing until the next key frame', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }] });
  const early = await RawRtspClient.connect(t, cam.port);
  await early.play(cam.url('sub'));
  await waitUntil('the early client to be 10 pictures into its GOP', () => accessUnits(early.frames).length >= 10, 5000);
  const earlyCountAtJoin = accessUnits(early.frames).length;
  t.ok(earlyCountAtJoin % 50 !== 0, `joining mid-GOP (picture ${earlyCountAtJoin} of 50)`);
  const late = await RawRtspClient.connect(t, cam.port);
  await late.play(cam.url('sub'));
  const lateRtp = await late.waitForFrames(0, 5, 5000);
  t.ok(accessUnits(late.frames)[0]!.key, 'the late client starts at an IDR');
  t.equal(nalType('h264', decodeRtp(lateRtp[0]!.data).payload), 7, 'its first packet is the SPS');
  // Each session's first sender report gives the wall-clock time of its first picture; both
  // clocks are the camera's, so their difference says which of the early client's pictures
  // the late client started with.
  const firstReport = (c: RawRtspClient): number => ntpMs(c.frames.find((f) => f.channel === 1)!.data);
  const k = Math.round((firstReport(late) - firstReport(early)) / 40);
  t.ok(k >= earlyCountAtJoin && k < earlyCountAtJoin + 50, `started at the early client's picture ${k}, within one GOP after joining`);
  t.equal(k % 50, 0, 'which is the first picture of a GOP');
  await waitUntil('the early client to reach that picture', () => accessUnits(early.frames).length > k, 5000);
  t.ok(accessUnits(early.frames)[k]!.key, 'and an IDR in the early client\u2019s stream too');
});

t.test('H.265: the first packet is the VPS, the first picture an IDR, and the clip loops seamlessly', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'h265', clip: CIF_H265 }] });
  const c = await RawRtspClient.connect(t, cam.port);
  const { describe } = await c.play(cam.url('h265'));
  t.match(describe.body, /a=rtpmap:96 H265\/90000/);
  t.match(describe.body, /a=fmtp:96 sprop-vps=QAEM[^;]+;sprop-sps=QgEB[^;]+;sprop-pps=RAH[^;\s]+/);
  const frames = await c.waitForFrames(0, 1, 5000);
  t.equal(nalType('h265', decodeRtp(frames[0]!.data).payload), 32);
  // The clip is 50 pictures long: 60 cross the loop seam.
  await waitUntil('60 pictures', () => accessUnits(c.frames, 'h265').length >= 60, 10_000);
  const aus = accessUnits(c.frames, 'h265').slice(0, 60);
  t.ok(aus[0]!.key);
  t.ok(aus.every((au, i) => i === 0 || au.timestamp - aus[i - 1]!.timestamp === 3600), 'timestamps keep rising across the loop');
  t.same(aus.flatMap((au, i) => (au.key ? [i] : [])), [0, 25, 50], 'key pictures every GOP, the seam included');
  const clip = parseClip('h265', await fs.readFile(await ensureClip(CIF_H265)));
  const offset = clip.aus.findIndex((au) => Buffer.concat(au.nals).equals(Buffer.concat(aus[0]!.nals)));
  t.ok(offset === 0 || offset === 25, `started at a GOP of the clip (AU ${offset})`);
  const replayed = aus.every((au, i) => Buffer.concat(au.nals).equals(Buffer.concat(clip.aus[(offset + i) % clip.aus.length]!.nals)));
  t.ok(replayed, 'the pictures are the clip\u2019s, in order, looping back to AU 0');
});

t.test('TEARDOWN stops the media and ends the session; the connection stays usable', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'sub', clip: SUB_CIF_H264 }] });
  const c = await RawRtspClient.connect(t, cam.port);
  const { session } = await c.play(cam.url('sub'));
  await c.waitForFrames(0, 1, 5000);
  const r = await c.request('TEARDOWN', cam.url('sub'), { Session: session });
  t.equal(r.status, 200);
  t.same(cam.stats()[0], { path: 'sub', sessionsActive: 0, sessionsTotal: 1, playing: 0 });
  const count = c.frames.length;
  const opts = await c.request('OPTIONS', cam.url('sub'));
  t.equal(opts.status, 200);
  t.match(opts.headers.get('public'), /GET_PARAMETER/);
  t.equal(c.frames.length, count, 'no media after TEARDOWN');
  t.equal((await c.request('PLAY', cam.url('sub'), { Session: session })).status, 454, 'the session is gone');
});

t.test('a client that stops reading is dropped once its socket buffers too much', async (t) => {
  const cam = await startCamera(t, { streams: [{ path: 'main', clip: MAIN_1080P_H264 }], maxBufferedBytes: 512 * 1024 });
  const c = await RawRtspClient.connect(t, cam.port);
  await c.play(cam.url('main'));
  await c.waitForFrames(0, 1, 5000);
  c.socket.pause();
  // 4 Mbit/s fills the loopback socket buffers and then our 512 KiB within seconds.
  await waitUntil('the stalled client to be dropped', () => cam.stats()[0]!.sessionsActive === 0, 30_000);
  t.match(cam.stats()[0], { sessionsTotal: 1, playing: 0 });
  c.socket.resume();
  await withTimeout(c.closed, 5000, 'the client to see the connection close');
});
