// OSD calls of the typed ONVIF layer against the simulator's Media service, over real SOAP on loopback.
import t, { type Test } from 'tap';
import { connectOnvif, OnvifError, type OnvifDevice } from '../../../src/protocols/onvif/index.js';
import type { OnvifCamera } from '../../../src/sim/onvif/index.js';
import { onvifSim } from '../../helpers/onvif.js';

const connect = (cam: OnvifCamera): Promise<OnvifDevice> => connectOnvif({ url: cam.url, user: 'admin', password: 'secret', timeoutMs: 3000 });

async function rejectsKind(t: Test, p: Promise<unknown>, kind: OnvifError['kind'], re: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof OnvifError, 'an OnvifError');
  if (err instanceof OnvifError) {
    t.equal(err.kind, kind);
    t.match(err.message, re);
  }
}

t.test('no OSDs yet: an empty list (the library would wrap `undefined`)', async (t) => {
  const cam = await onvifSim(t);
  const dev = await connect(cam);
  t.same(await dev.osds(), []);
});

t.test('create, list, update and delete text OSDs; Chinese and XML-special text survive', async (t) => {
  const cam = await onvifSim(t);
  const dev = await connect(cam);
  const line1 = await dev.createTextOsd({ position: 'UpperLeft', text: { plain: '粤-G4-京珠北-路面' }, fontSize: 40 });
  const line2 = await dev.createTextOsd({ position: { x: -1, y: 0.8 }, text: { plain: 'K1844+158-上行-南行-往广州市' } });
  const time = await dev.createTextOsd({ position: 'UpperRight', text: { dateFormat: 'yyyy-MM-dd', timeFormat: 'HH:mm:ss' } });
  const odd = await dev.createTextOsd({ position: 'LowerLeft', text: { plain: 'A&B <x> "q" 123' } });
  t.same(new Set([line1, line2, time, odd]).size, 4, 'four distinct tokens');

  const osds = await dev.osds();
  t.same(
    osds.map((o) => ({ token: o.token, position: o.position, textType: o.textType, plainText: o.plainText, dateFormat: o.dateFormat, timeFormat: o.timeFormat, fontSize: o.fontSize })),
    [
      { token: line1, position: 'UpperLeft', textType: 'Plain', plainText: '粤-G4-京珠北-路面', dateFormat: undefined, timeFormat: undefined, fontSize: 40 },
      { token: line2, position: { x: -1, y: 0.8 }, textType: 'Plain', plainText: 'K1844+158-上行-南行-往广州市', dateFormat: undefined, timeFormat: undefined, fontSize: undefined },
      { token: time, position: 'UpperRight', textType: 'DateAndTime', plainText: undefined, dateFormat: 'yyyy-MM-dd', timeFormat: 'HH:mm:ss', fontSize: undefined },
      { token: odd, position: 'LowerLeft', textType: 'Plain', plainText: 'A&B <x> "q" 123', dateFormat: undefined, timeFormat: undefined, fontSize: undefined },
    ],
  );
  t.ok(osds.every((o) => o.type === 'Text' && o.videoSourceConfigurationToken === 'VideoSourceConfig_1'));
  t.same(cam.osds().find((o) => o.token === odd)?.plainText, 'A&B <x> "q" 123', 'the camera stored the text unescaped');

  await dev.setTextOsd(line1, { position: 'UpperLeft', text: { plain: '粤-G4-京珠北-太和互通' } });
  t.equal(cam.osds().find((o) => o.token === line1)?.plainText, '粤-G4-京珠北-太和互通');
  await dev.deleteOsd(odd);
  t.same(cam.osds().map((o) => o.token), [line1, line2, time]);
  // One OSD left: linerase drops the array; osds() still returns a list.
  await dev.deleteOsd(line1);
  await dev.deleteOsd(line2);
  t.same((await dev.osds()).map((o) => o.token), [time]);

  const sets = cam.calls().filter((c) => c.action === 'SetOSD' && c.ok);
  t.equal(sets.length, 1, 'the SetOSD call is recorded');
});

t.test('options advertise positions, text types, font sizes and formats', async (t) => {
  const cam = await onvifSim(t, { osd: { maxDateAndTime: 1, maxPlainText: 4 } });
  const dev = await connect(cam);
  const o = await dev.osdOptions();
  t.same(o.max, { total: 8, plainText: 4, dateAndTime: 1 });
  t.same(o.positions, ['UpperLeft', 'UpperRight', 'LowerLeft', 'LowerRight', 'Custom']);
  t.same(o.textTypes, ['Plain', 'DateAndTime']);
  t.same(o.fontSizeRange, { min: 16, max: 64 });
  t.ok(o.dateFormats.includes('yyyy-MM-dd') && o.timeFormats.includes('HH:mm:ss'));
});

t.test('refusals come back as typed errors', async (t) => {
  const cam = await onvifSim(t, { osd: { maxDateAndTime: 1 } });
  const dev = await connect(cam);
  await dev.createTextOsd({ position: 'UpperRight', text: { dateFormat: 'yyyy-MM-dd', timeFormat: 'HH:mm:ss' } });
  await rejectsKind(t, dev.createTextOsd({ position: 'LowerRight', text: { dateFormat: 'yyyy-MM-dd', timeFormat: 'HH:mm:ss' } }), 'fault', /more than 1 date-and-time/);
  await rejectsKind(t, dev.createTextOsd({ position: 'UpperLeft', text: { dateFormat: 'YYYY', timeFormat: 'HH:mm:ss' } }), 'fault', /DateFormat YYYY/);
  await rejectsKind(t, dev.setTextOsd('OSD_99', { position: 'UpperLeft', text: { plain: 'x' } }), 'fault', /no OSD OSD_99/);
  await rejectsKind(t, dev.deleteOsd('OSD_99'), 'fault', /no OSD OSD_99/);
  await rejectsKind(t, dev.createTextOsd({ position: 'UpperLeft', text: { plain: 'x' }, fontSize: 100 }), 'fault', /FontSize 100 outside 16\.\.64/);
  await rejectsKind(t, dev.createTextOsd({ position: { x: 2, y: 0 }, text: { plain: 'x' } }), 'fault', /Pos \(2, 0\) outside/);
  t.equal(cam.osds().length, 1, 'nothing refused was stored');
  cam.setOsdSupported(false);
  await rejectsKind(t, dev.osds(), 'unsupported', /GetOSDs/);
});
