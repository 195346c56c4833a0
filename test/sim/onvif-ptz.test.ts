// PTZ (ver20) and imaging (ver20) services of the ONVIF simulator against the real `onvif` npm client.
import t from 'tap';
import { call, callRaw, connectCam, rawSoap, startSim } from './onvif-helpers.js';

t.test('a fixed camera advertises imaging but no PTZ; PTZ actions are refused', async (t) => {
  const sim = await startSim(t);
  const cam = await connectCam(sim, 'admin', 'secret');
  t.ok(cam.uri?.['imaging'], 'imaging advertised');
  t.notOk(cam.uri?.['ptz'], 'no PTZ service');
  t.equal(cam.activeSource?.ptz, undefined);
  t.equal(sim.ptz(), undefined);
  // The client cannot even address PTZ here (it posts to the bare path 'ptz'), so sign the request by hand.
  const r = await rawSoap(
    sim.url.replace('device_service', 'ptz_service'),
    '<ContinuousMove xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken><Velocity><PanTilt xmlns="http://www.onvif.org/ver10/schema" x="0.1" y="0"/></Velocity></ContinuousMove>',
    'admin',
    'secret',
  );
  t.equal(r.status, 500);
  t.match(r.xml, /ter:ActionNotSupported/);
  t.match(sim.calls().at(-1), { service: 'ptz', action: 'ContinuousMove', ok: false });
  const ok = await rawSoap(sim.url, '<GetHostname xmlns="http://www.onvif.org/ver10/device/wsdl"/>', 'admin', 'secret');
  t.equal(ok.status, 200, 'the hand-signed request itself is accepted');
});

t.test('a PTZ dome: nodes, configurations, moves, stop and auxiliary commands are applied and recorded', async (t) => {
  const sim = await startSim(t, { ptz: true });
  const cam = await connectCam(sim, 'admin', 'secret');
  t.match(cam.activeSource?.ptz, { token: 'PTZConfig_1' }, 'profiles carry the PTZ configuration');
  const nodes = await call(cam.getNodes.bind(cam));
  t.ok(nodes['PTZNode_1'], 'node listed by token');
  t.match(JSON.stringify(nodes['PTZNode_1']), /tt:IRLamp\|On/);
  const confs = await call(cam.getConfigurations.bind(cam));
  t.match(confs['PTZ'], { token: 'PTZConfig_1', nodeToken: 'PTZNode_1' });

  await call((cb) => cam.continuousMove({ profileToken: 'Profile_1', x: 0.5, y: -0.25, zoom: 0 }, cb));
  t.same(sim.ptz()?.velocity, { x: 0.5, y: -0.25, zoom: 0 });
  t.match(await call((cb) => cam.getStatus({ profileToken: 'Profile_1' }, cb)), { moveStatus: { panTilt: 'MOVING' } });
  await call((cb) => cam.stop({ profileToken: 'Profile_1' }, cb));
  t.same(sim.ptz()?.velocity, { x: 0, y: 0, zoom: 0 }, 'Stop zeroes the velocity');

  await call((cb) => cam.relativeMove({ profileToken: 'Profile_1', x: 0.25, y: 0.5, zoom: 0.5 }, cb));
  await call((cb) => cam.relativeMove({ profileToken: 'Profile_1', x: 0.25, y: 0.75, zoom: 0 }, cb));
  t.same(sim.ptz()?.position, { x: 0.5, y: 1, zoom: 0.5 }, 'relative moves add up and clamp at the limit');
  t.match(await call((cb) => cam.getStatus({ profileToken: 'Profile_1' }, cb)), { position: { x: 0.5, y: 1, zoom: 0.5 } });

  await call((cb) => cam.ptzSendAuxiliaryCommand({ profileToken: 'Profile_1', data: 'tt:Light|On' }, cb));
  t.same(sim.ptz()?.auxCommands, ['tt:Light|On']);
  const bad = await callRaw((cb) => cam.ptzSendAuxiliaryCommand({ profileToken: 'Profile_1', data: 'tt:Siren|On' }, cb));
  t.match(bad.err?.message, /auxiliary command tt:Siren\|On not supported/);
  await t.rejects(call((cb) => cam.continuousMove({ profileToken: 'Profile_1', x: 2 }, cb)), /Velocity x=2 outside -1\.\.1/);
  await t.rejects(call((cb) => cam.continuousMove({ profileToken: 'nope', x: 0.1 }, cb)), /no profile nope/);

  const moves = sim.calls().filter((c) => c.service === 'ptz' && c.action === 'ContinuousMove');
  t.match(moves[0]?.body, { ProfileToken: 'Profile_1', Velocity: { PanTilt: { '@x': '0.5', '@y': '-0.25' } } });
  t.match(moves.map((m) => m.ok), [true, false, false]);
});

t.test('imaging: focus Move/Stop and iris / IR-cut settings', async (t) => {
  const sim = await startSim(t);
  const cam = await connectCam(sim, 'admin', 'secret');
  await call((cb) => cam.imagingMove({ continuous: { speed: -0.5 } }, cb));
  t.same(sim.imaging().focusMove, { mode: 'continuous', value: -0.5 });
  await call((cb) => cam.imagingStop({}, cb));
  t.equal(sim.imaging().focusMove, undefined);
  await call((cb) => cam.imagingMove({ relative: { distance: 0.25 } }, cb));
  t.equal(sim.imaging().focusPosition, 0.75);

  await call((cb) => cam.setImagingSettings({ exposure: { mode: 'MANUAL', iris: -6 }, irCutFilter: 'OFF', brightness: 60 }, cb));
  t.match(sim.imaging(), { exposureMode: 'MANUAL', iris: -6, irCutFilter: 'OFF', brightness: 60 });
  t.match(await call((cb) => cam.getImagingSettings({}, cb)), { brightness: 60, exposure: { mode: 'MANUAL', iris: -6 }, irCutFilter: 'OFF' });
  await t.rejects(call((cb) => cam.setImagingSettings({ exposure: { iris: 5 } }, cb)), /Iris 5 outside -22\.\.0/);
  await t.rejects(call((cb) => cam.imagingMove({ token: 'VideoSource_9', continuous: { speed: 0.1 } }, cb)), /no video source VideoSource_9/);
  const set = sim.calls().find((c) => c.action === 'SetImagingSettings');
  t.match(set?.body, { VideoSourceToken: 'VideoSource_1', ImagingSettings: { Exposure: { Iris: '-6' }, IrCutFilter: 'OFF' } });
});
