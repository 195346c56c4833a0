// Catalog subscription as RFC 6665 and GB/T 28181 want it, against an upper-platform
// simulator that refuses every NOTIFY outside its subscription dialogs (481): 200 and an initial
// NOTIFY with the catalog, channel status NOTIFYs in the dialog (tags, CSeq increasing,
// Subscription-State active with expires), refresh, and the end on unsubscribe and on expiry.
import t from 'tap';
import { ONLINE } from '../../../src/protocols/province/messages.js';
import { SipEndpoint } from '../../../src/protocols/sip/index.js';
import { addCamera } from '../api/helpers.js';
import { LOCAL_ID, UPPER_ID, signallingRig } from './signallingRig.js';

const CAMERAS = 3;

async function subscribedRig(t: Parameters<typeof signallingRig>[0]) {
  const r = await signallingRig(t, { sim: { strict: { subscriptionDialogs: true } } });
  // Names tell the channels apart in the catalog (the sample record's name is the same for all).
  const records = Array.from({ length: CAMERAS }, (_, i) => addCamera(r.cameras, { cameraName: `京港澳高速K1844+158上行-${i}` }));
  for (const rec of records) r.state.set(rec.cameraNum, ONLINE.online, 'test');
  const svc = await r.cascade({ catalog_page_size: 2 });
  const channel = (await r.sim.queryCatalog(LOCAL_ID)).channels.find((c) => c.name === records[0]!.cameraName)!.deviceId;
  return { ...r, svc, camera: records[0]!, channel };
}

t.test('SUBSCRIBE: initial NOTIFY, status NOTIFYs in the dialog, refresh, unsubscribe', async (t) => {
  const r = await subscribedRig(t);
  const { sim } = r;
  t.equal(await sim.subscribeCatalog(LOCAL_ID, 60), 200, 'SUBSCRIBE answered 200');
  const sub = [...sim.subscriptions.values()][0]!;
  t.ok(sub.toTag, 'the 200 carries the notifier tag');
  const catalogItems = () => sub.notifies.reduce((n, x) => n + x.items, 0);
  await sim.until(() => catalogItems() >= CAMERAS, 5000, 'the initial catalog NOTIFYs');
  t.ok(sub.notifies.length >= 2, `the initial catalog came in ${sub.notifies.length} NOTIFYs of at most 2 items`);
  t.match(sub.notifies[0]!.state, /^active;expires=(60|59)$/, 'Subscription-State active with the remaining validity');

  const before = sub.notifies.length;
  r.state.set(r.camera.cameraNum, ONLINE.offline, 'camera lost');
  await sim.until(() => sim.notifications.some((n) => n.deviceId === r.channel && n.event === 'OFF'), 5000, 'OFF in the dialog');
  t.equal(sub.notifies.length, before + 1, 'the OFF event came as a NOTIFY in the subscription dialog');
  t.ok(sub.notifies.every((n, i) => i === 0 || n.cseq > sub.notifies[i - 1]!.cseq), 'CSeq increases in the dialog');
  t.equal(r.svc.links[0]!.status().subscriptions, 1, 'the link counts one subscription');

  t.equal(await sim.resubscribeCatalog(LOCAL_ID, 120), 200, 'a refresh inside the dialog is answered 200');
  r.state.set(r.camera.cameraNum, ONLINE.online, 'camera back');
  await sim.until(() => sim.notifications.some((n) => n.deviceId === r.channel && n.event === 'ON'), 5000, 'ON in the dialog');
  t.match(sub.notifies.at(-1)!.state, /^active;expires=(120|119)$/, 'after the refresh, the new validity');

  t.equal(await sim.resubscribeCatalog(LOCAL_ID, 0), 200, 'unsubscribe (Expires 0) answered 200');
  await sim.until(() => sub.terminated !== undefined, 5000, 'terminated NOTIFY');
  t.match(sub.notifies.at(-1)!.state, /^terminated;reason=timeout/, 'a final NOTIFY ends the subscription');
  t.equal(r.svc.links[0]!.status().subscriptions, 0, 'no subscription left');
  t.same(sim.refusals, [], 'the strict upper side refused no NOTIFY');
});

t.test('a subscription ends on expiry; a NOTIFY outside a subscription is refused by the strict simulator', async (t) => {
  const r = await subscribedRig(t);
  const { sim } = r;
  t.equal(await sim.subscribeCatalog(LOCAL_ID, 1), 200, 'SUBSCRIBE for 1 s');
  const sub = [...sim.subscriptions.values()][0]!;
  await sim.until(() => sub.terminated !== undefined, 5000, 'terminated on expiry');
  t.equal(sub.terminated, 'timeout', 'the subscription ended with reason timeout');
  t.equal(r.svc.links[0]!.status().subscriptions, 0, 'the link forgot it');
  t.equal(await r.sim.resubscribeCatalog(LOCAL_ID, 60), 481, 'a refresh of the ended subscription is answered 481');

  // A NOTIFY built outside any dialog, as the first version of the cascade sent them.
  const ep = await SipEndpoint.start({ host: '127.0.0.1', port: 0, udp: true, tcp: false, timers: { T1: 50, T2: 400, T4: 500 } });
  t.teardown(() => ep.close());
  const res = await ep.request({
    method: 'NOTIFY',
    uri: `sip:${UPPER_ID}@4400000000`,
    from: `<sip:${LOCAL_ID}@4400000000>`,
    to: `<sip:${UPPER_ID}@4400000000>`,
    target: { transport: 'UDP', address: '127.0.0.1', port: sim.port },
    extraHeaders: [
      ['Event', 'Catalog'],
      ['Subscription-State', 'active;expires=60'],
    ],
  });
  t.equal(res.status, 481, 'an out-of-dialog NOTIFY is refused with 481');
  t.match(sim.refusals, [/NOTIFY outside a subscription/], 'and the refusal is recorded');
});
