// The ONVIF device service against the real `onvif` npm client over loopback.
import t from 'tap';
import { call, connectCam, startSim } from './onvif-helpers.js';

t.test('connect and GetDeviceInformation return the configured identity', async (t) => {
  const sim = await startSim(t, { manufacturer: 'HIKVISION', model: 'DS-2CD2T47', firmware: 'V5.7.1', serial: 'DS-1234', hardwareId: '88' });
  const cam = await connectCam(sim, 'admin', 'secret');
  const info = await call(cam.getDeviceInformation.bind(cam));
  t.match(info, { manufacturer: 'HIKVISION', model: 'DS-2CD2T47', firmwareVersion: 'V5.7.1', serialNumber: 'DS-1234', hardwareId: '88' });
  const actions = sim.calls().map((c) => `${c.service}:${c.action}`);
  t.same(actions.slice(0, 2), ['device:GetSystemDateAndTime', 'device:GetServices'], 'client learns the clock first, then services');
  t.ok(actions.includes('media:GetProfiles') && actions.includes('media:GetVideoSources'));
  t.ok(sim.calls().every((c) => c.ok), 'every call answered');
  t.equal(sim.url, `http://127.0.0.1:${sim.port}/onvif/device_service`);
});

t.test('wrong password: connect fails with a NotAuthorized SOAP fault, HTTP 400', async (t) => {
  const sim = await startSim(t);
  const err = await connectCam(sim, 'admin', 'wrong').then(
    () => undefined,
    (e: Error) => e,
  );
  t.ok(err, 'connect rejected');
  t.match(err?.message, /Sender not Authorized/);
  const calls = sim.calls();
  t.match(calls[0], { action: 'GetSystemDateAndTime', ok: true }, 'clock is readable without credentials');
  t.match(calls[1], { action: 'GetServices', ok: false });
  const res = await fetch(sim.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/soap+xml' },
    body: '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>',
  });
  t.equal(res.status, 400);
  const xml = await res.text();
  t.match(xml, /<env:Value>ter:NotAuthorized<\/env:Value>/);
  t.match(xml, /<env:Value>env:Sender<\/env:Value>/);
});

t.test('unknown user is refused like a wrong password', async (t) => {
  const sim = await startSim(t);
  await t.rejects(connectCam(sim, 'root', 'secret'), /Sender not Authorized/);
});

t.test('SetSystemDateAndTime moves the camera clock and time zone', async (t) => {
  const sim = await startSim(t, { clockOffsetMs: -3_600_000 });
  const cam = await connectCam(sim, 'admin', 'secret');
  const before = await call(cam.getSystemDateAndTime.bind(cam));
  t.ok(Math.abs(before.getTime() - (Date.now() - 3_600_000)) < 2000, 'the camera starts an hour slow');
  const target = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
  const after = await call<Date>((cb) => cam.setSystemDateAndTime({ dateTime: target, dateTimeType: 'Manual', timezone: 'CST-8' }, cb));
  t.ok(Math.abs(after.getTime() - target.getTime()) < 2000, `clock now ${after.toISOString()}`);
  t.ok(Math.abs(sim.clockOffsetMs - (target.getTime() - Date.now())) < 2000);
  t.equal(sim.timeZone, 'CST-8');
  const set = sim.calls().find((c) => c.action === 'SetSystemDateAndTime');
  t.match(set?.body, { DateTimeType: 'Manual', TimeZone: { TZ: 'CST-8' }, UTCDateTime: { Date: { Year: '2030', Month: '1', Day: '2' }, Time: { Hour: '3' } } });
  sim.setClockOffset(0);
  const reset = await call(cam.getSystemDateAndTime.bind(cam));
  t.ok(Math.abs(reset.getTime() - Date.now()) < 2000, 'setClockOffset takes effect');
});

t.test('GetHostname and GetNetworkInterfaces report the configured name and MAC', async (t) => {
  const sim = await startSim(t, { hostname: 'k12-cam-3', mac: 'a4:14:37:00:11:22' });
  const cam = await connectCam(sim, 'admin', 'secret');
  const h = await call(cam.getHostname.bind(cam));
  t.match(h, { name: 'k12-cam-3' });
  const ni = await call<unknown>((cb) => (cam as unknown as { getNetworkInterfaces(cb: (e: Error | null, v: unknown) => void): void }).getNetworkInterfaces(cb));
  t.match(JSON.stringify(ni), /a4:14:37:00:11:22/);
});

t.test('default (lenient) clock: a Created stamp an hour off is still accepted', async (t) => {
  const sim = await startSim(t);
  const cam = await connectCam(sim, 'admin', 'secret');
  sim.setClockOffset(3_600_000);
  t.match(await call(cam.getDeviceInformation.bind(cam)), { manufacturer: 'SimCam' });
});

t.test('strict clock window: a Created stamp far from the camera clock is refused', async (t) => {
  const sim = await startSim(t, { maxClockSkewMs: 5 * 60_000 });
  const cam = await connectCam(sim, 'admin', 'secret');
  await call(cam.getDeviceInformation.bind(cam));
  // The client signs with the clock it learnt at connect and never re-reads it (see report).
  sim.setClockOffset(3_600_000);
  await t.rejects(call(cam.getDeviceInformation.bind(cam)), /Sender not Authorized/);
  // Workaround: forget the learnt shift and re-read the (unauthenticated) clock.
  cam.timeShift = undefined;
  await call(cam.getSystemDateAndTime.bind(cam));
  t.match(await call(cam.getDeviceInformation.bind(cam)), { manufacturer: 'SimCam' }, 'signing with the new clock works');
});
