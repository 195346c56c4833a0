// [overlay] burn_in: the engine's transcoded pushes draw the Appendix B overlay (drawtext, Beijing
// time); copies are left alone. The filter itself is tested in test/modules/overlay/drawtext.test.ts.
import fs from 'node:fs';
import crypto from 'node:crypto';
import t from 'tap';
import { configSchema } from '../../../src/config/schema/index.js';
import { cameraRecordSchema, VIDEO_TYPES } from '../../../src/protocols/province/messages.js';
import { MAIN_720P_H264, startRtspCamera, SUB_CIF_H264 } from '../../../src/sim/camera/index.js';
import { sampleCameraRecordFields } from '../../../src/sim/sampleCamera.js';
import { startMediaRig } from '../../helpers/media.js';
import { pushOrder } from '../../../src/modules/uplinks/province/pushOrders.js';

/** argv of every live process whose command line contains `needle`. */
function processesWith(needle: string): Array<{ argv: string[]; env: string }> {
  const out: Array<{ argv: string[]; env: string }> = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.includes(needle))) out.push({ argv, env: fs.readFileSync(`/proc/${pid}/environ`, 'utf8') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

t.test('transcoded pushes carry the overlay, copies do not', async (t) => {
  const overlay = configSchema.shape.overlay.parse({ burn_in: true });
  const rig = await startMediaRig(t, { cameras: [], overlay });
  const cam = await startRtspCamera({ streams: [{ path: 'main', clip: MAIN_720P_H264 }, { path: 'sub', clip: SUB_CIF_H264 }] });
  t.teardown(() => cam.close());
  const name = `burn-${crypto.randomUUID().slice(0, 8)}`;
  rig.store.put({
    id: name,
    record: cameraRecordSchema.parse({ ...sampleCameraRecordFields(0, { pushType: 2 }), cameraNum: crypto.randomUUID() }),
    access: { ip: '127.0.0.1', rtspMain: cam.url('main'), rtspSub: cam.url('sub'), travelDirection: '南行', destination: '广州市' },
    source: 'cli',
  });
  const num = rig.camera(name).record.cameraNum;
  const low = rig.rtmp.url('rtmp', `${name}-low`);
  const src = rig.rtmp.url('rtmp', `${name}-src`);
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.low, low, {}));
  await rig.engine.start(pushOrder(rig.store.byNum(num)!, VIDEO_TYPES.source, src, {}));

  const [lowPush] = processesWith(`${name}-low`);
  t.ok(lowPush, 'the low push runs');
  const vf = lowPush!.argv.find((a) => a.includes('drawtext')) ?? '';
  t.match(vf, /drawtext=.*font=\\?'Noto Sans CJK SC/, 'drawn with the Simplified Chinese face of the CJK font');
  t.match(vf, /往广州市/, 'the position line from the record');
  t.match(vf, /localtime/, 'the clock');
  t.match(lowPush!.env, /(^|\0)TZ=CST-8(\0|$)/, 'Beijing time for the clock');
  const [srcPush] = processesWith(`${name}-src`);
  t.notOk(srcPush!.argv.some((a) => a.includes('drawtext')), 'a copy cannot be drawn on');
});
