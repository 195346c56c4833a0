// The daemon's one human line at start.
import t from 'tap';
import { startSummary } from '../../src/modules/startSummary.js';
import type { StoredCamera } from '../../src/store/cameras.js';

const cam = (pushType: 1 | 2, access: StoredCamera['access']) => ({ record: { pushType } as StoredCamera['record'], access });

t.test('listeners, cameras (constant pushes, no address) and the province link with its token', async (t) => {
  const base = { version: '0.1.0', apiUrl: 'https://0.0.0.0:8443', monitorUrl: 'https://0.0.0.0:8090', provinceUrl: 'https://10.1.1.1:443' };
  t.equal(
    startSummary({ ...base, cameras: [cam(1, { ip: '10.0.0.5' }), cam(2, { rtspMain: 'rtsp://10.0.0.6/m' }), cam(1, {})], backupLinks: 1, token: undefined }),
    'vcgw 0.1.0 started: API https://0.0.0.0:8443, monitor https://0.0.0.0:8090; 3 cameras (2 with the constant 128 kbps push, 1 without an address); ' +
      'province https://10.1.1.1:443 + 1 backup link, first token call under way (offline token from the config)',
  );
  t.equal(
    startSummary({
      ...base,
      cameras: [cam(2, { ip: '10.0.0.5' })],
      backupLinks: 0,
      token: { seq: 2, token: 'x', origin: 'platform', obtainedAt: Date.UTC(2026, 0, 2, 3, 4, 5), confirmedAt: null },
    }),
    'vcgw 0.1.0 started: API https://0.0.0.0:8443, monitor https://0.0.0.0:8090; 1 camera (0 with the constant 128 kbps push); province https://10.1.1.1:443, token from the province 2026-01-02 11:04:05 (Beijing time)',
  );
});
