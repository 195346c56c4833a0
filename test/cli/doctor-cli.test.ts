// `vcgw doctor` with a config: the overlay font (when burned in), the snapshot disk room, the
// example's placeholders, the province link (a real TLS handshake with the simulator), cameras,
// and a report on stdout even when the config is broken.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'smol-toml';
import t from 'tap';
import { generateSm2KeyPair } from '../../src/protocols/province/sm2.js';
import { startProvinceSim } from '../../src/sim/province/index.js';
import { selfSignedLoopbackCert } from '../../src/sim/province/tls.js';
import { sampleCameraEntry } from '../../src/sim/sampleCamera.js';
import { openDb } from '../../src/store/db.js';
import { GbStore } from '../../src/store/gb.js';
import { TokenStore } from '../../src/store/tokens.js';
import { CLOSED_PROVINCE_URL, cliRunner, writeMinimalConfig } from '../helpers/cli.js';

const root = path.resolve(import.meta.dirname, '../..');

type Report = { checks: Array<{ check: string; result: string; detail: string; fix?: string }> };

function doctor(t: { teardown(fn: () => unknown): void }, extra: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-doctor-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return cliRunner(writeMinimalConfig(dir, ['[media]', 'hardware = "off"', ...extra]))('doctor', '--json');
}

t.test('the burned-in overlay font is checked as fontconfig resolves it; snapshots have room', async (t) => {
  const ok = await doctor(t, ['[overlay]', 'burn_in = true']);
  t.notMatch(ok.err, /overlay font|snapshots/, 'neither fails');
  const checks = (JSON.parse(ok.out) as Report).checks;
  t.match(checks.find((c) => c.check === 'overlay font'), { result: 'ok', detail: 'Noto Sans CJK SC' });
  t.match(checks.find((c) => c.check === 'snapshots'), { result: 'ok', detail: /snapshots: disk \d+ % used, \d+ MB free \(limits 90 %, 512 MB\)/ });

  const missing = await doctor(t, ['[overlay]', 'burn_in = true', 'font = "No Such Font SC"']);
  t.equal(missing.code, 1, 'a missing font fails doctor');
  t.match(missing.err, /check\(s\) failed: .*overlay font/);
  t.match((JSON.parse(missing.out) as Report).checks.find((c) => c.check === 'overlay font'), { result: 'FAIL', detail: /No Such Font SC not installed \(fontconfig gives .+\): apt-get install fonts-noto-cjk/ });

  const off = await doctor(t, []);
  t.notOk((JSON.parse(off.out) as Report).checks.some((c) => c.check === 'overlay font'), 'no burn-in, no font check');
});

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-doctor-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the unchanged example config is refused, naming each placeholder and what is missing', async (t) => {
  const dir = tempDir(t);
  const config = path.join(dir, 'gateway.toml');
  // Only the data dir moves (doctor creates it) and the province's address becomes a closed
  // loopback port (tests never dial off this machine); every other line is the example's.
  const example = fs.readFileSync(path.join(root, 'gateway.example.toml'), 'utf8');
  t.match(example, /^base_url = "https:\/\/10\.1\.1\.1:443"$/m, 'the example names a VPN address');
  fs.writeFileSync(
    config,
    example.replace('# data_dir = "/var/lib/vcgw"', `data_dir = "${path.join(dir, 'data')}"`).replace('https://10.1.1.1:443', CLOSED_PROVINCE_URL),
  );
  const r = await cliRunner(config)('doctor');
  t.equal(r.code, 1);
  t.equal(r.err, 'vcgw: 4 check(s) failed: province.sm2_private_key, province.token, province link, camera K1844+158-up\n');
  const row = (name: string) => r.out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
  t.match(row('province.sm2_private_key'), /FAIL +the example's placeholder key: set the key issued with this gateway/);
  t.match(row('province.token'), /FAIL +the example's sample token: set the initial token issued with this gateway/);
  t.match(row('province link'), /FAIL +.*127\.0\.0\.1:9.*; never contacted: no token from the province yet +check the VPN\/leased line to the province/);
  t.match(row('camera K1844+158-up'), /FAIL +no address configured \(ip, onvifUrl or rtspMain\)$/);
});

t.test('doctor --json prints its report on stdout even when the config is broken', async (t) => {
  const dir = tempDir(t);
  const config = writeMinimalConfig(dir, ['[media]', 'hardware = "off"', 'max_outputs = "many"', '[api]', 'colour = "red"']);
  const r = await cliRunner(config)('doctor', '--json');
  t.equal(r.code, 1);
  const report = JSON.parse(r.out) as Report;
  t.match(report.checks[0], { check: 'config', result: 'FAIL', detail: /gateway\.toml: api\.colour: unknown key; media\.max_outputs: .* \(media defaults used below\)$/ });
  t.match(report.checks.find((c) => c.check === 'ffmpeg'), { result: 'ok' }, 'the machine is still checked');
  t.equal(r.err, 'vcgw: 1 check(s) failed: config\n');
});

t.test('the province link: a real handshake, the certificate named when it does not fit, and whether a token ever came', async (t) => {
  const keys = generateSm2KeyPair();
  const good = await startProvinceSim({ deviceCode: 'vg-108121', user: 'Jzbgs', initialToken: 'issued-0', sm2PublicKey: keys.publicKeyHex });
  t.teardown(() => good.close());
  const wrongNames = await selfSignedLoopbackCert(365, { dns: ['video.gd.example'], ips: ['10.9.9.9'] });
  const moved = await startProvinceSim({ deviceCode: 'vg-108121', user: 'Jzbgs', initialToken: 'issued-0', sm2PublicKey: keys.publicKeyHex, tls: wrongNames });
  t.teardown(() => moved.close());
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'ca.pem'), good.certPem);
  fs.writeFileSync(path.join(dir, 'moved-ca.pem'), wrongNames.cert);
  const configFor = (url: string, ca: string) => {
    const file = writeMinimalConfig(dir, ['[media]', 'hardware = "off"', '[snapshots]', 'enabled = false']);
    const text = fs
      .readFileSync(file, 'utf8')
      .replace(CLOSED_PROVINCE_URL, url)
      .replace(/^token = .*$/m, 'token = "issued-0"')
      .replace(/^sm2_private_key = .*$/m, `sm2_private_key = "${keys.privateKeyHex}"\nca_file = "${path.join(dir, ca)}"`);
    fs.writeFileSync(file, `${text}\n[[cameras]]\n${CAMERA}`);
    return file;
  };
  const link = async (file: string) => {
    const r = await cliRunner(file)('doctor', '--json');
    return { code: r.code, check: (JSON.parse(r.out) as Report).checks.find((c) => c.check === 'province link') };
  };

  const before = await link(configFor(good.url, 'ca.pem'));
  t.match(before.check, { result: 'warn', detail: /^127\.0\.0\.1:\d+: TLS ok, certificate names DNS:localhost, .*; never contacted: no token from the province yet$/ });
  t.equal(before.code, 0, 'reachable and trusted, only never used: a warning');

  const db = openDb(path.join(dir, 'data'));
  new TokenStore(db).rotate('from-the-platform', Date.UTC(2026, 0, 2, 3, 4, 5));
  db.close();
  t.match((await link(configFor(good.url, 'ca.pem'))).check, { result: 'ok', detail: /; token from the province 2026-01-02 11:04:05 \(Beijing time\)$/ });

  const wrong = await link(configFor(moved.url, 'moved-ca.pem'));
  t.equal(wrong.code, 1);
  t.match(wrong.check, {
    result: 'FAIL',
    detail: new RegExp(
      `^TLS to 127\\.0\\.0\\.1:\\d+ failed \\(ERR_TLS_CERT_ALTNAME_INVALID: .*\\): the certificate names DNS:video\\.gd\\.example, IP Address:10\\.9\\.9\\.9 .*; trusted: province\\.ca_file ${dir.replace(/[.]/g, '\\.')}/moved-ca\\.pem;`,
    ),
  });
});

const CAMERA = `id = "K1-up"
department = "京珠北分公司"
cameraName = "京港澳高速K1844+158上行"
longAndLati = "113.597500/24.810300"
road = "G4"
roadName = "京港澳高速"
roadSec = "京珠北段"
classify = 0
poiName = "京港澳高速道路"
cameraOrientation = 1
pileNum = "K1844+158"
cameraType = 1
hasControl = 0
areaCode = 440201
pushType = 1
rtspMain = "rtsp://127.0.0.1:1/main"
`;

t.test('a GB/T 28181 camera is checked by its device registration, not by an address it does not have', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-doctor-gb-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const DEVICE = '44010000001320000001';
  const gbCamera = (id: string, device: string) => sampleCameraEntry(0, { id, ip: undefined, rtspMain: undefined, gbDeviceId: device, gbChannelId: `${device.slice(0, 18)}01` });
  const extra = (enabled: boolean) =>
    stringify({ media: { hardware: 'off' }, gb28181: { enabled, sip_id: '44010000002000000001', domain: '4401000000', listen: '127.0.0.1:0' }, cameras: [gbCamera('gb-registered', DEVICE), gbCamera('gb-never', '44010000001320000099')] }).split('\n');
  const run = (enabled: boolean) => cliRunner(writeMinimalConfig(dir, extra(enabled)))('doctor', '--offline', '--json');
  const row = (r: { out: string }, check: string) => (JSON.parse(r.out) as Report).checks.find((c) => c.check === check);

  const db = openDb(path.join(dir, 'data'));
  new GbStore(db).registered({ deviceId: DEVICE, transport: 'udp', address: '127.0.0.1', port: 5070, edition: '2016', expiresAt: Date.now() + 3_600_000 });
  db.close();

  const on = await run(true);
  t.match(row(on, 'camera gb-registered'), { result: /ok|warn/, detail: new RegExp(`GB/T 28181 device ${DEVICE} at 127.0.0.1:5070, heard \\d+ s ago`) });
  t.match(row(on, 'camera gb-never'), { result: 'FAIL', detail: 'GB/T 28181 device 44010000001320000099 has never registered to this gateway', fix: /SIP server id 44010000002000000001, domain 4401000000/ });
  t.notMatch(on.out, /no address configured/, 'no camera is blamed for lacking an IP');

  const off = await run(false);
  t.match(row(off, 'camera gb-registered'), { result: 'FAIL', detail: /\[gb28181\] enabled = false/ });
});
