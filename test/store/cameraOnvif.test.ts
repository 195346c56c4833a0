// CameraOnvifStore: what each camera told the gateway over ONVIF.
import t from 'tap';
import { CameraOnvifStore, type OnvifFacts } from '../../src/store/cameraOnvif.js';
import { NUM_A, tempDb } from './helpers.js';

const facts = (firmware: string): OnvifFacts => ({
  manufacturer: 'SimCam',
  model: 'D1',
  firmware,
  serial: 'S1',
  hardwareId: 'H1',
  mac: '00:11:22:33:44:55',
  ptz: true,
  imaging: false,
  profiles: [
    {
      token: 'p0',
      name: 'main',
      encoding: 'H264',
      width: 1920,
      height: 1080,
      fps: 25,
      bitrateKbps: 4096,
      gop: 50,
      encoderToken: 'e0',
      role: 'main',
      streamUri: 'rtsp://10.0.0.5/main',
      snapshotUri: undefined,
    },
  ],
});

t.test('facts round-trip with their read time; a later read replaces them; remove forgets them', async (t) => {
  const store = new CameraOnvifStore(tempDb(t));
  t.equal(store.get(NUM_A), undefined);
  store.put(NUM_A, facts('1.0'), 10);
  const read = store.get(NUM_A);
  t.equal(read?.readAt, 10);
  t.same(read?.facts.profiles.map((p) => [p.role, p.streamUri]), [['main', 'rtsp://10.0.0.5/main']]);
  store.put(NUM_A, facts('2.0'), 20);
  t.same([store.get(NUM_A)?.readAt, store.get(NUM_A)?.facts.firmware], [20, '2.0'], 'replaced, not added');
  store.remove(NUM_A);
  t.equal(store.get(NUM_A), undefined);
});
