import t from 'tap';
import { CameraHealth } from '../../../src/modules/health/cameraHealth.js';
import type { CameraStateTracker } from '../../../src/modules/health/cameraState.js';

function tracker() {
  const states = new Map<string, { online: number; reason: string }>();
  const state = { set: (n: string, online: number, reason: string) => void states.set(n, { online, reason }) } as unknown as CameraStateTracker;
  return { state, states };
}

t.test('offline, online and fault from reachability and the media engine (CONTRACT §3)', async (t) => {
  const { state, states } = tracker();
  const h = new CameraHealth(state);
  h.setMediaFault('a', 'no video');
  t.equal(states.get('a'), undefined, 'nothing decided before the first probe');
  h.setReachable('a', true, 'reachable');
  t.same(states.get('a'), { online: 2, reason: 'reachable but no video: no video' }, 'reachable without video = fault');
  h.setMediaFault('a', undefined);
  t.equal(states.get('a')!.online, 1, 'video back = online');
  h.setReachable('a', false, 'no TCP answer');
  h.setMediaFault('a', 'connection refused');
  t.same(states.get('a'), { online: 0, reason: 'no TCP answer' }, 'unreachable wins over a media fault');
});

t.test('the diagnosis is a third witness: reachable but no usable picture = fault', async (t) => {
  const { state, states } = tracker();
  const h = new CameraHealth(state);
  h.setReachable('a', true, 'reachable');
  h.setPictureFault('a', 'signal lost (black screen) 0.97');
  t.same(states.get('a'), { online: 2, reason: 'reachable but no usable picture: signal lost (black screen) 0.97' });
  t.equal(h.isReachable('a'), true);
  h.setPictureFault('a', undefined);
  t.equal(states.get('a')!.online, 1, 'picture back = online');
  h.setPictureFault('a', 'frozen');
  h.setReachable('a', false, 'no TCP answer');
  t.equal(states.get('a')!.online, 0, 'offline wins');
  t.equal(h.isReachable('b'), undefined, 'not probed yet');
});
