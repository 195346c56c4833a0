// The ONVIF media service against the real `onvif` npm client, with real RTSP streams behind GetStreamUri.
import t from 'tap';
import { MAIN_720P_H264, SUB_CIF_H264 } from '../../src/sim/camera/index.js';
import { probe, startCamera } from './camera-helpers.js';
import { call, callRaw, connectCam, startSim, type OnvifCam } from './onvif-helpers.js';

t.test('GetProfiles: main 1080p/4096k and sub CIF/256k, H264 25 fps GOP 50', async (t) => {
  const sim = await startSim(t);
  const cam = await connectCam(sim, 'admin', 'secret');
  const profiles = await call(cam.getProfiles.bind(cam));
  t.equal(profiles.length, 2);
  t.match(profiles[0], {
    $: { token: 'Profile_1' },
    videoSourceConfiguration: { sourceToken: 'VideoSource_1' },
    videoEncoderConfiguration: {
      $: { token: 'VideoEncoder_1' },
      encoding: 'H264',
      resolution: { width: 1920, height: 1080 },
      rateControl: { frameRateLimit: 25, encodingInterval: 1, bitrateLimit: 4096 },
      H264: { govLength: 50, H264Profile: 'Main' },
    },
  });
  t.match(profiles[1], {
    $: { token: 'Profile_2' },
    videoEncoderConfiguration: { encoding: 'H264', resolution: { width: 352, height: 288 }, rateControl: { frameRateLimit: 25, bitrateLimit: 256 }, H264: { govLength: 50 } },
  });
});

t.test('GetStreamUri returns the advertised RTSP URIs, and ffprobe plays them', async (t) => {
  const rtsp = await startCamera(t, {
    streams: [
      { path: 'main', clip: MAIN_720P_H264 },
      { path: 'sub', clip: SUB_CIF_H264 },
    ],
  });
  const sim = await startSim(t, { rtsp: { main: rtsp.url('main'), sub: rtsp.url('sub') } });
  const cam = await connectCam(sim, 'admin', 'secret');
  const main = await call<{ uri: string }>((cb) => cam.getStreamUri({ protocol: 'RTSP', profileToken: 'Profile_1' }, cb));
  const sub = await call<{ uri: string }>((cb) => cam.getStreamUri({ protocol: 'RTSP', profileToken: 'Profile_2' }, cb));
  t.equal(main.uri, rtsp.url('main'));
  t.equal(sub.uri, rtsp.url('sub'));
  const def = await call<{ uri: string }>((cb) => cam.getStreamUri({ protocol: 'RTSP' }, cb));
  t.equal(def.uri, rtsp.url('main'), 'the default profile is the main stream');
  const [pm, ps] = await Promise.all([probe(t, main.uri), probe(t, sub.uri)]);
  t.match(pm.streams, [{ codec_name: 'h264', width: 1280, height: 720 }], pm.result.stderr);
  t.match(ps.streams, [{ codec_name: 'h264', width: 352, height: 288 }], ps.result.stderr);
  const snap = await call<{ uri: string }>((cb) => cam.getSnapshotUri({ profileToken: 'Profile_1' }, cb));
  t.match(snap.uri, new RegExp(`^http://127\\.0\\.0\\.1:${sim.port}/`));
});

t.test('GetStreamUri for an unknown profile is a SOAP fault', async (t) => {
  const sim = await startSim(t);
  const cam = await connectCam(sim, 'admin', 'secret');
  await t.rejects(call((cb) => cam.getStreamUri({ profileToken: 'nope' }, cb)), /no profile nope/);
});

async function encoder(cam: OnvifCam, token: string): Promise<Awaited<ReturnType<typeof call<import('./onvif-helpers.js').OnvifClientEncoder>>>> {
  return call((cb) => cam.getVideoEncoderConfiguration(token, cb));
}

t.test('encoder configurations and options', async (t) => {
  const sim = await startSim(t);
  const cam = await connectCam(sim, 'admin', 'secret');
  const all = await call(cam.getVideoEncoderConfigurations.bind(cam));
  t.same(all.map((e) => e.$.token), ['VideoEncoder_1', 'VideoEncoder_2']);
  t.match(await encoder(cam, 'VideoEncoder_2'), { resolution: { width: 352, height: 288 }, rateControl: { bitrateLimit: 256 } });
  const opts = await call((cb) => cam.getVideoEncoderConfigurationOptions({ configurationToken: 'VideoEncoder_2' }, cb));
  t.match(JSON.stringify(opts), /"width":704,"height":576/, 'sub offers D1');
  t.match(opts, { H264: { frameRateRange: { min: 1, max: 25 }, govLengthRange: { min: 1, max: 400 } } });
});

t.test('SetVideoEncoderConfiguration changes what the camera reports and refuses out-of-range values', async (t) => {
  const sim = await startSim(t);
  const cam = await connectCam(sim, 'admin', 'secret');
  const cur = await encoder(cam, 'VideoEncoder_2');
  await call((cb) =>
    cam.setVideoEncoderConfiguration(
      { ...cur, token: 'VideoEncoder_2', resolution: { width: 704, height: 576 }, rateControl: { frameRateLimit: 15, encodingInterval: 1, bitrateLimit: 512 }, H264: { govLength: 30, profile: 'High' } },
      cb,
    ),
  );
  t.match(await encoder(cam, 'VideoEncoder_2'), {
    resolution: { width: 704, height: 576 },
    rateControl: { frameRateLimit: 15, bitrateLimit: 512 },
    H264: { govLength: 30, H264Profile: 'High' },
  });
  const set = sim.calls().find((c) => c.action === 'SetVideoEncoderConfiguration');
  t.match(set?.body, { Configuration: { '@token': 'VideoEncoder_2', RateControl: { BitrateLimit: '512' } } });
  t.match(sim.profiles()[1]?.encoder, { width: 704, frameRateLimit: 15, bitrateLimit: 512, govLength: 30 });

  // onvif 0.8.3 replaces any fault from SetVideoEncoderConfiguration with a generic error; the
  // SOAP fault itself is still in the raw XML handed to the callback.
  const refusals: Array<[Record<string, unknown>, RegExp]> = [
    [{ token: 'VideoEncoder_1', rateControl: { frameRateLimit: 60, bitrateLimit: 4096 } }, /FrameRateLimit 60 outside 1\.\.25/],
    [{ token: 'VideoEncoder_1', resolution: { width: 1000, height: 1000 } }, /Resolution 1000x1000 not available/],
    [{ token: 'VideoEncoder_1', rateControl: { frameRateLimit: 25, bitrateLimit: 99999 } }, /BitrateLimit 99999 outside 256\.\.16384/],
    [{ token: 'VideoEncoder_9', quality: 3 }, /no configuration VideoEncoder_9/],
  ];
  for (const [conf, reason] of refusals) {
    const r = await callRaw((cb) => cam.setVideoEncoderConfiguration(conf, cb));
    t.match(r.err?.message, /Wrong `SetVideoEncoderConfiguration` response/);
    t.match(r.xml, /ter:InvalidArgVal/);
    t.match(r.xml, reason);
  }
  t.equal(sim.calls().filter((c) => c.action === 'SetVideoEncoderConfiguration' && !c.ok).length, 4, 'refusals are recorded');
  t.match(await encoder(cam, 'VideoEncoder_1'), { resolution: { width: 1920 }, rateControl: { frameRateLimit: 25 } }, 'refused changes leave the config alone');
});
