// `vcgw doctor`'s field checks: the clock against a time server (a real SNTP exchange with the
// simulator), --offline on a config with real-looking values, the machine's resources and the
// §7.1 d uplink, camera streams read with ffprobe (--cameras), progress only on a terminal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { runCli } from '../../src/cli/main.js';
import { uplinkNeededMbps } from '../../src/cli/doctorSystem.js';
import { sntpQuery } from '../../src/protocols/ntp/sntp.js';
import { startNtpSim } from '../../src/sim/ntp.js';
import { startSimCamera } from '../../src/sim/simCamera.js';
import { SUB_CIF_H264 } from '../../src/sim/camera/clips.js';
import { CLOSED_PROVINCE_URL, cliRunner, writeMinimalConfig } from '../helpers/cli.js';
import { generateSm2KeyPair } from '../../src/protocols/province/sm2.js';
import { startProvinceSim } from '../../src/sim/province/index.js';
import { selfSignedLoopbackCert } from '../../src/sim/province/tls.js';

type Check = { check: string; result: string; detail: string; fix?: string };

/** A config a packager could ship: no placeholder token, the province on a closed loopback port. */
function configWith(t: { teardown(fn: () => unknown): void }, gatewayLines: string[] = [], extra: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcgw-doctor-ops-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = writeMinimalConfig(dir, ['[media]', 'hardware = "off"', ...extra]);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^token = .*$/m, 'token = "issued-offline-7Qx2"').replace('[province]', [...gatewayLines, '[province]'].join('\n')));
  return file;
}

const checksOf = (out: string) => (JSON.parse(out) as { checks: Check[] }).checks;

t.test('SNTP: the offset of a server whose clock is ahead or behind', async (t) => {
  for (const offsetMs of [1500, -2500]) {
    const sim = await startNtpSim({ offsetMs });
    const r = await sntpQuery(sim.host, sim.port, 3000);
    await sim.close();
    t.ok(Math.abs(r.offsetMs - offsetMs) < 250, `offset ${offsetMs} ms measured as ${r.offsetMs.toFixed(0)} ms`);
  }
  const unsynced = await startNtpSim({ stratum: 0 });
  await t.rejects(sntpQuery(unsynced.host, unsynced.port, 3000), /not synchronised \(stratum 0\)/);
  await unsynced.close();
});

t.test('doctor: the clock against the first of time.servers, each verdict with its fix', async (t) => {
  const verdict = async (offsetMs: number) => {
    const sim = await startNtpSim({ offsetMs });
    t.teardown(() => sim.close());
    const r = await cliRunner(configWith(t, [], ['[time]', `servers = ["127.0.0.1:${sim.port}"]`]))('doctor', '--json');
    return { err: r.err, clock: checksOf(r.out).find((c) => c.check === 'clock')! };
  };
  const ok = await verdict(0);
  t.match(ok.clock, { result: 'ok', detail: /behind|ahead of/ });
  t.equal(ok.clock.fix, undefined, 'no fix when ok');
  t.equal(ok.err, 'vcgw: 1 check(s) failed: province link\n', 'only the (closed) province link fails');
  const drift = await verdict(2000);
  t.match(drift.clock, { result: 'warn', detail: /^clock \S+, behind 127\.0\.0\.1:\d+ by (19|20|21)\d\d ms/, fix: /chrony follow 127\.0\.0\.1/ });
  const far = await verdict(-60_000);
  t.match(far.clock, { result: 'FAIL', detail: /ahead of 127\.0\.0\.1:\d+ by (59|60)\d\d\d ms/ });
  t.equal(far.err, 'vcgw: 2 check(s) failed: province link, clock\n', 'a clock a minute off fails doctor');
});

t.test('doctor --offline: no network check; the machine still checked; exit 0 without placeholders', async (t) => {
  const r = await cliRunner(configWith(t))('doctor', '--offline', '--json');
  t.equal(r.code, 0, r.err);
  const checks = checksOf(r.out);
  const names = checks.map((c) => c.check);
  t.notOk(names.includes('province link') || names.includes('clock'), 'neither the province nor the time server is dialled');
  for (const n of ['cpu', 'memory', 'disk', 'temperature', 'network traffic', 'uplink']) t.ok(names.includes(n), `${n} checked`);
  t.match(checks.find((c) => c.check === 'memory'), { detail: /^\d+ % used, [\d.]+ GiB of [\d.]+ GiB available/ });
  t.match(checks.find((c) => c.check === 'uplink'), { detail: /^0 camera\(s\) need 50 Mbps \(seed 003 §7\.1 d\)/ });

  const human = await cliRunner(configWith(t))('doctor', '--offline');
  t.match(human.out.split('\n')[0], /^check +result +detail +fix$/, 'the table has a fix column');
});

t.test('the §7.1 d uplink: 50 Mbps below 50 cameras, 100 for 50-100, then per 50', async (t) => {
  t.same([0, 49, 50, 100, 101, 150, 151, 1000].map(uplinkNeededMbps), [50, 50, 100, 100, 150, 150, 200, 1000]);
});

t.test('doctor --cameras reads each stream: codec, size, fps, bitrate; refused credentials named', async (t) => {
  const sim = await startSimCamera({ main: { ...SUB_CIF_H264, seconds: 4 }, sub: false, rtspCredentials: { user: 'admin', password: 'admin123' } });
  t.teardown(() => sim.close());
  const camera = (id: string, url: string) => [
    '[[cameras]]',
    `id = "${id}"`,
    'department = "京珠北分公司"',
    'cameraName = "京港澳高速K1844+158上行"',
    'longAndLati = "113.597500/24.810300"',
    'road = "G4"',
    'roadName = "京港澳高速"',
    'roadSec = "京珠北段"',
    'classify = 0',
    'poiName = "京港澳高速道路"',
    'cameraOrientation = 1',
    'pileNum = "K1844+158"',
    'cameraType = 1',
    'hasControl = 0',
    'areaCode = 440201',
    'pushType = 1',
    `rtspMain = "${url}"`,
  ];
  const good = sim.url('main', true);
  const wrong = good.replace('admin123', 'wrong');
  const config = configWith(t, [], [...camera('good', good), ...camera('wrong', wrong), ...camera('gone', 'rtsp://127.0.0.1:1/main')]);
  const r = await cliRunner(config)('doctor', '--cameras', '--json');
  t.equal(r.code, 1);
  const checks = checksOf(r.out);
  t.match(checks.find((c) => c.check === 'stream good'), { result: 'ok', detail: /^rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/main: h264 352x288 25\.0 fps \d+ kbps$/ });
  t.match(checks.find((c) => c.check === 'stream wrong'), { result: 'FAIL', fix: /^credentials refused/ });
  t.match(checks.find((c) => c.check === 'stream gone'), { result: 'FAIL', fix: /^not reachable/ });
  t.notMatch(r.out, /admin123/, 'no password in the report');
});

t.test('progress goes to stderr only on a terminal', async (t) => {
  const config = configWith(t);
  const run = async (tty: boolean) => {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: tty });
    await runCli(['-c', config, 'doctor', '--offline'], stdout, stderr);
    return String(stderr.read() ?? '');
  };
  t.match(await run(true), /checking network traffic \(1 s\) …/);
  t.equal(await run(false), '', 'nothing on a pipe');
});

t.test('a province certificate near its end is named with the fix', async (t) => {
  const keys = generateSm2KeyPair();
  const tls = await selfSignedLoopbackCert(10);
  const sim = await startProvinceSim({ deviceCode: 'vg-108121', user: 'Jzbgs', initialToken: 'issued-0', sm2PublicKey: keys.publicKeyHex, tls });
  t.teardown(() => sim.close());
  const file = configWith(t);
  const ca = path.join(path.dirname(file), 'ca.pem');
  fs.writeFileSync(ca, tls.cert);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(CLOSED_PROVINCE_URL, sim.url).replace(/^sm2_private_key = .*$/m, `sm2_private_key = "${keys.privateKeyHex}"\nca_file = "${ca}"`));
  const r = await cliRunner(file)('doctor', '--offline', '--json');
  t.notOk(checksOf(r.out).some((c) => c.check === 'province link'), '--offline: not dialled');
  const online = checksOf((await cliRunner(file)('doctor', '--json')).out).find((c) => c.check === 'province link');
  t.match(online, { result: 'warn', detail: /TLS ok, .*valid to .*; a province certificate expires in (9|10) day\(s\)$/, fix: /renewed certificate/ });
});
