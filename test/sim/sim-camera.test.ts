// startSimCamera: an ONVIF encoder change made with the project's own client changes the RTSP
// stream on the wire (ffprobe); locked and drifting encoders; the third stream.
import t from 'tap';
import type { ClipSpec } from '../../src/sim/camera/index.js';
import { connectOnvif, OnvifError, probe as discover, type OnvifDevice, type OnvifEncoderSettings } from '../../src/protocols/onvif/index.js';
import { defaultProfiles, startOnvifCamera } from '../../src/sim/onvif/index.js';
import { measureStream } from '../../src/protocols/ffmpeg/measure.js';
import { startSimCamera, type SimCamera, type SimCameraOptions } from '../../src/sim/simCamera.js';
import { probe, RawRtspClient, withTimeout } from './camera-helpers.js';

// CIF only and short clips: every clip here costs well under a second to encode.
const MAIN: ClipSpec = { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 384, gopFrames: 50, seconds: 4 };
const SUB: ClipSpec = { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 256, gopFrames: 50, seconds: 4 };
/** The camera-side tier of issue 4: H.264 CIF 25 fps 128 kb/s GOP 25. */
const CIF_TIER: OnvifEncoderSettings = { encoding: 'H264', width: 352, height: 288, fps: 25, bitrateKbps: 128, gop: 25 };
const USER = 'admin';
const PASSWORD = 'secret';

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function start(t: Teardown, opts: SimCameraOptions): Promise<SimCamera> {
  const cam = await startSimCamera(opts);
  t.teardown(() => cam.close());
  return cam;
}

function connect(cam: SimCamera): Promise<OnvifDevice> {
  return connectOnvif({ url: cam.onvif!.url, user: USER, password: PASSWORD });
}

t.test('profiles describe the streams served, and GetStreamUri points at them', async (t) => {
  const cam = await start(t, { main: MAIN, sub: SUB, onvif: { user: USER, password: PASSWORD } });
  t.same(cam.streams, ['main', 'sub']);
  const dev = await connect(cam);
  const profiles = await dev.profiles();
  t.match(profiles, [
    { token: 'Profile_1', width: 352, height: 288, fps: 25, bitrateKbps: 384, gop: 50, encoderToken: 'VideoEncoder_1' },
    { token: 'Profile_2', width: 352, height: 288, fps: 25, bitrateKbps: 256, gop: 50, encoderToken: 'VideoEncoder_2' },
  ]);
  t.equal(profiles.length, 2);
  t.equal(await dev.streamUri('Profile_1'), cam.url('main'));
  t.equal(await dev.streamUri('Profile_2'), cam.url('sub'));
  t.throws(() => cam.url('third'), /no third stream/);
});

t.test('without clips, the streams follow the given ONVIF profiles; the discovery responder announces the device', async (t) => {
  const [main] = defaultProfiles();
  const cifMain = { ...main!, encoder: { ...main!.encoder, width: 352, height: 288, bitrateLimit: 384, govLength: 25 } };
  const cam = await start(t, { onvif: { user: USER, password: PASSWORD, profiles: [cifMain], serial: 'SN-42' }, discovery: { port: 0, multicast: false } });
  t.same(cam.streams, ['main'], 'no sub profile given, so no sub-stream');
  t.same(cam.clip('main'), { codec: 'h264', width: 352, height: 288, fps: 25, bitrateKbps: 384, gopFrames: 25, seconds: 10 });
  const p = await probe(t, cam.url('main'));
  t.match(p.streams, [{ width: 352, height: 288 }], p.result.stderr);
  const found = await discover({ address: '127.0.0.1', port: cam.discovery!.port, timeoutMs: 500 });
  t.match(found, [{ address: cam.onvif!.url }]);
  const dev = await connect(cam);
  t.match(await dev.info(), { serial: 'SN-42' });
  await t.rejects(startSimCamera({ discovery: true }), /discovery needs the ONVIF service/);
  await t.rejects(startSimCamera({ main: { ...MAIN, codec: 'h265' }, onvif: true }), /main stream is h265/);
});

t.test('SetVideoEncoderConfiguration re-encodes the sub-stream: the wire shows the new bitrate and GOP; main is untouched', async (t) => {
  const cam = await start(t, { main: MAIN, sub: SUB, onvif: { user: USER, password: PASSWORD } });
  const dev = await connect(cam);
  const onMain = await RawRtspClient.connect(t, cam.rtsp.port);
  const onSub = await RawRtspClient.connect(t, cam.rtsp.port);
  await onMain.play(cam.url('main'));
  await onSub.play(cam.url('sub'));
  await Promise.all([onMain.waitForFrames(0, 5, 5000), onSub.waitForFrames(0, 5, 5000)]);

  await dev.setEncoder('VideoEncoder_2', CIF_TIER);
  // The answer comes only after the camera restarted the stream: the old session is already gone.
  await withTimeout(onSub.closed, 1000, 'the sub-stream client to be dropped');
  t.same(cam.clip('sub'), { ...SUB, bitrateKbps: 128, gopFrames: 25 });
  t.match((await dev.profiles())[1], { bitrateKbps: 128, gop: 25, width: 352, fps: 25 });

  const m = await measureStream(cam.url('sub'), { seconds: 3 });
  t.match(m, { codec: 'h264', width: 352, height: 288, fps: 25, gopFrames: 25 }, JSON.stringify(m));
  t.ok(m.videoKbps > 100 && m.videoKbps < 170, `≈128 kb/s on the wire (${m.videoKbps})`);

  const seen = onMain.frames.length;
  await onMain.waitForFrames(0, seen + 10, 5000);
  t.ok(onMain.isOpen, 'the main-stream session survived');
  t.same(cam.clip('main'), MAIN);
  const mainNow = await probe(t, cam.url('main'));
  t.match(mainNow.streams, [{ width: 352, height: 288 }]);
});

t.test('a locked encoder refuses with a ConfigModify fault and keeps its stream', async (t) => {
  const cam = await start(t, { main: MAIN, sub: SUB, onvif: { user: USER, password: PASSWORD, refuseEncoderChanges: true } });
  const dev = await connect(cam);
  const err = await dev.setEncoder('VideoEncoder_2', CIF_TIER).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, OnvifError);
  t.match(err, { kind: 'fault', call: 'SetVideoEncoderConfiguration', message: /ConfigModify not permitted/, subcodes: ['env:Sender', 'ter:InvalidArgVal', 'ter:ConfigModify'] });
  t.same(cam.clip('sub'), SUB, 'the stream is unchanged');
  t.match((await dev.profiles())[1], { bitrateKbps: 256, gop: 50 }, 'and so is what the camera reports');

  cam.onvif!.setRefuseEncoderChanges(false);
  await dev.setEncoder('VideoEncoder_2', CIF_TIER);
  t.same(cam.clip('sub'), { ...SUB, bitrateKbps: 128, gopFrames: 25 }, 'unlocked, the same change goes through');
});

t.test('a drifting encoder reports the config it was given but sends twice the bitrate and GOP', async (t) => {
  const cam = await start(t, { main: MAIN, sub: SUB, onvif: { user: USER, password: PASSWORD, encoderDrift: { bitrateFactor: 2, gopFactor: 2 } } });
  const dev = await connect(cam);
  await dev.setEncoder('VideoEncoder_2', CIF_TIER);
  t.match((await dev.profiles())[1], { width: 352, bitrateKbps: 128, gop: 25 }, 'the camera reports the tier faithfully');
  t.match(cam.clip('sub'), { bitrateKbps: 256, gopFrames: 50 });
  const m = await measureStream(cam.url('sub'), { seconds: 5 });
  t.equal(m.gopFrames, 50, JSON.stringify(m));
  const ratio = m.videoKbps / CIF_TIER.bitrateKbps;
  t.ok(ratio > 1.7 && ratio < 2.5, `the wire carries ≈2× the configured bitrate (${m.videoKbps} kb/s)`);
});

t.test('third stream: Profile_3 describes it and GetStreamUri returns its RTSP URL', async (t) => {
  const third: ClipSpec = { codec: 'h264', width: 640, height: 360, fps: 25, bitrateKbps: 512, gopFrames: 50, seconds: 4 };
  const cam = await start(t, { main: MAIN, sub: SUB, third, onvif: { user: USER, password: PASSWORD } });
  t.same(cam.streams, ['main', 'sub', 'third']);
  const dev = await connect(cam);
  const profiles = await dev.profiles();
  t.match(profiles[2], { token: 'Profile_3', name: 'thirdStream', width: 640, height: 360, bitrateKbps: 512, gop: 50, encoderToken: 'VideoEncoder_3' });
  const uri = await dev.streamUri('Profile_3');
  t.equal(uri, cam.url('third'));
  t.match(uri, /\/third$/);
  const p = await probe(t, uri);
  t.match(p.streams, [{ codec_name: 'h264', width: 640, height: 360 }], p.result.stderr);
  // 704x576 is within the third stream's limits; 1920x1080 is not.
  await dev.setEncoder('VideoEncoder_3', { encoding: 'H264', width: 704, height: 576, fps: 25, bitrateKbps: 1024, gop: 50 });
  t.match(cam.clip('third'), { width: 704, height: 576, bitrateKbps: 1024, seconds: 4 });
  await t.rejects(dev.setEncoder('VideoEncoder_3', { encoding: 'H264', width: 1920, height: 1080, fps: 25, bitrateKbps: 1024, gop: 50 }), { kind: 'fault', message: /1920x1080 not available/ });
});

t.test('ONVIF sim alone: thirdStream adds the default Profile_3, and GetStreamUri returns the third URL', async (t) => {
  const sim = await startOnvifCamera({ user: USER, password: PASSWORD, thirdStream: true, rtsp: { main: 'rtsp://127.0.0.1:9/m', sub: 'rtsp://127.0.0.1:9/s', third: 'rtsp://127.0.0.1:9/t' } });
  t.teardown(() => sim.close());
  t.match(sim.profiles()[2], {
    token: 'Profile_3',
    name: 'thirdStream',
    stream: 'third',
    encoder: { width: 1280, height: 720, frameRateLimit: 25, bitrateLimit: 2048, govLength: 50 },
    limits: { bitrate: { min: 256, max: 4096 }, resolutions: [{ width: 1280, height: 720 }, { width: 704, height: 576 }, { width: 640, height: 360 }] },
  });
  const dev = await connectOnvif({ url: sim.url, user: USER, password: PASSWORD });
  t.equal(await dev.streamUri('Profile_3'), 'rtsp://127.0.0.1:9/t');
  t.equal(await dev.streamUri('Profile_2'), 'rtsp://127.0.0.1:9/s');
});

t.test('onEncoderChange: awaited before the answer, skipped for an unchanged config, a throw is a fault and rolls back', async (t) => {
  const changes: Array<{ token: string; bitrate: number; produced: number }> = [];
  let fail = false;
  let release!: () => void;
  let gate: Promise<void> | undefined;
  const sim = await startOnvifCamera({
    user: USER,
    password: PASSWORD,
    encoderDrift: { bitrateFactor: 1.5 },
    onEncoderChange: async (p, produced) => {
      if (gate) await gate;
      if (fail) throw new Error('encoder busy');
      changes.push({ token: p.token, bitrate: p.encoder.bitrateLimit, produced: produced.bitrateLimit });
    },
  });
  t.teardown(() => sim.close());
  const dev = await connectOnvif({ url: sim.url, user: USER, password: PASSWORD });

  gate = new Promise((r) => (release = r));
  let answered = false;
  const set = dev.setEncoder('VideoEncoder_2', CIF_TIER).then(() => (answered = true));
  await t.resolveMatch(waitFor(() => sim.calls().some((c) => c.action === 'SetVideoEncoderConfiguration')), true);
  t.notOk(answered, 'no answer while the camera is still restarting the stream');
  release();
  await set;
  gate = undefined;
  t.same(changes, [{ token: 'Profile_2', bitrate: 128, produced: 192 }]);

  await dev.setEncoder('VideoEncoder_2', CIF_TIER);
  t.equal(changes.length, 1, 'the same config again does not restart the stream');

  fail = true;
  await t.rejects(dev.setEncoder('VideoEncoder_2', { ...CIF_TIER, bitrateKbps: 96 }), { kind: 'fault', message: /encoder restart failed: encoder busy/ });
  t.match(sim.profiles()[1]?.encoder, { bitrateLimit: 128 }, 'the failed change is rolled back');
});

/** Polls a cheap in-process condition (the sim's call log). */
async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
