// GbStore: GB/T 28181 devices, their catalogued channels, and the CLI's requests to the daemon.
import t from 'tap';
import type { CatalogItem } from '../../src/protocols/gb28181/catalog.js';
import { GbStore } from '../../src/store/gb.js';
import { tempDb } from './helpers.js';

const DEV = '34020000001180000001';
const CH1 = '34020000001310000001';
const CH2 = '34020000001310000002';
const item = (deviceId: string, name: string, status: 'ON' | 'OFF' = 'ON'): CatalogItem => ({ deviceId, name, status, ptzType: 1, extra: {} });
const register = (gb: GbStore, now: number) =>
  gb.registered({ deviceId: DEV, transport: 'udp', address: '127.0.0.1', port: 5060, edition: '2016', expiresAt: now + 3600_000 }, now);

t.test('a device registers, goes offline on unregister and online again when seen; info and drift are kept', async (t) => {
  const gb = new GbStore(tempDb(t));
  register(gb, 1000);
  t.same([gb.device(DEV)?.online, gb.device(DEV)?.registeredAt, gb.device(DEV)?.port], [true, 1000, 5060]);
  gb.setInfo(DEV, { name: 'NVR', manufacturer: 'Sim', channel: 2 });
  gb.setClockDrift(DEV, -1500, 2000);
  gb.unregistered(DEV, 3000);
  const off = gb.device(DEV);
  t.same([off?.online, off?.expiresAt, off?.name, off?.channelCount, off?.clockDriftMs, off?.clockCheckedAt], [false, 3000, 'NVR', 2, -1500, 2000]);
  gb.seen(DEV, 4000);
  t.same([gb.device(DEV)?.online, gb.device(DEV)?.lastSeenAt], [true, 4000]);
  t.same(gb.devices().map((d) => d.deviceId), [DEV]);
});

t.test('a complete catalog replaces the channel list, an incomplete one only adds and updates', async (t) => {
  const gb = new GbStore(tempDb(t));
  register(gb, 1000);
  gb.putCatalog(DEV, [item(CH1, 'gate'), item(CH2, 'ramp')], true, 1100);
  gb.putCatalog(DEV, [item(CH2, 'ramp east', 'OFF')], false, 1200);
  t.same(gb.channels(DEV).map((c) => [c.channelId, c.name, c.status]), [[CH1, 'gate', 'ON'], [CH2, 'ramp east', 'OFF']], 'a lost page makes no channel disappear');
  t.same([gb.device(DEV)?.catalogAt, gb.device(DEV)?.catalogComplete], [1200, false]);
  gb.putCatalog(DEV, [item(CH2, 'ramp')], true, 1300);
  t.same(gb.channels(DEV).map((c) => c.channelId), [CH2], 'a complete answer drops the channels it lacks');
  t.equal(gb.setChannelStatus(DEV, CH2, 'OFF'), true);
  t.equal(gb.setChannelStatus(DEV, CH1, 'ON'), false, 'no such channel any more');
  t.same(gb.channelById(CH2).map((c) => [c.deviceId, c.status, c.item.name]), [[DEV, 'OFF', 'ramp']]);
});

t.test('requests left by the CLI are pending until claimed, finished or withdrawn, and pruned by age', async (t) => {
  const gb = new GbStore(tempDb(t));
  const first = gb.addRequest(DEV, 'catalog', {}, 100);
  const second = gb.addRequest(DEV, 'info', {}, 200);
  const third = gb.addRequest(DEV, 'ptz', { params: { action: 'left', step: 4 }, expiresAt: 5000 }, 210);
  t.same(JSON.parse(String(gb.request(third)?.params)), { action: 'left', step: 4 }, 'params kept as JSON');
  t.ok(gb.claimRequest(first, 120), 'the daemon takes it');
  t.notOk(gb.claimRequest(first, 121), 'once only');
  t.notOk(gb.withdrawRequest(first, 122), 'a claimed request cannot be withdrawn: its result will come');
  gb.finishRequest(first, 'ok: 2 channels', 150);
  t.ok(gb.withdrawRequest(third, 220), 'an unclaimed request is withdrawn by the CLI');
  t.notOk(gb.claimRequest(third, 230), 'and the daemon can no longer take it');
  t.same(gb.pendingRequests().map((r) => [r.id, r.kind]), [[second, 'info']]);
  t.same([gb.request(first)?.doneAt, gb.request(first)?.result], [150, 'ok: 2 channels']);
  gb.pruneRequests(150, 300);
  t.same([gb.request(first), gb.request(second)?.kind], [undefined, 'info'], 'created before 150 pruned');
});
