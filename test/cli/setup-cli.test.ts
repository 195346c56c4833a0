// `vcgw setup`: the per-box steps the package's maintainer scripts and first-boot unit run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cliRunner, writeMinimalConfig } from '../helpers/cli.js';

t.test('setup chrony: the province time servers as sources, the camera networks allowed, a local stratum for them', async (t) => {
  const dir = t.testdir();
  const vcgw = cliRunner(writeMinimalConfig(dir, ['[time]', 'servers = ["10.1.1.10", "ntp.province.example", "[fd00::7]:1123"]', 'serve = ["192.168.10.0/24", "10.20.0.0/16"]']));
  const printed = await vcgw('setup', 'chrony');
  t.equal(printed.code, 0, printed.err);
  t.same(
    printed.out.split('\n').filter((l) => l !== '' && !l.startsWith('#')),
    ['server 10.1.1.10 iburst', 'server ntp.province.example iburst', 'server fd00::7 port 1123 iburst', 'allow 192.168.10.0/24', 'allow 10.20.0.0/16', 'local stratum 10'],
  );
  const file = path.join(dir, 'conf.d/vcgw.conf');
  const written = await vcgw('setup', 'chrony', '--write', file);
  t.equal(written.code, 0, written.err);
  t.equal(fs.readFileSync(file, 'utf8'), printed.out, '--write FILE writes what is printed');
});

t.test('setup chrony without [time]: no sources of its own, serves nobody', async (t) => {
  const printed = await cliRunner(writeMinimalConfig(t.testdir()))('setup', 'chrony');
  t.equal(printed.code, 0, printed.err);
  t.same(printed.out.split('\n').filter((l) => l !== '' && !l.startsWith('#')), []);
  t.match(printed.out, /time\.servers is empty: the clock follows Debian's default sources/);
});

t.test('setup chrony refuses a server that would break the chrony file, naming the field', async (t) => {
  const r = await cliRunner(writeMinimalConfig(t.testdir(), ['[time]', 'servers = ["10.1.1.10 iburst\\nallow all"]']))('setup', 'chrony');
  t.equal(r.code, 2);
  t.match(r.err, /time\.servers\.0.*must be a host name or IP address/);
});

t.test('setup tls makes the certificate once and keeps it after', async (t) => {
  const dir = t.testdir();
  const vcgw = cliRunner(writeMinimalConfig(dir));
  const first = await vcgw('setup', 'tls');
  t.equal(first.code, 0, first.err);
  const cert = fs.readFileSync(path.join(dir, 'data/tls/server.crt'), 'utf8');
  const fingerprint = new crypto.X509Certificate(cert).fingerprint256;
  t.equal(first.out.trim(), `generated self-signed server certificate, SHA-256 ${fingerprint}`);
  const second = await vcgw('setup', 'tls');
  t.equal(second.out.trim(), `kept self-signed server certificate, SHA-256 ${fingerprint}`);
  t.equal(fs.readFileSync(path.join(dir, 'data/tls/server.crt'), 'utf8'), cert, 'the file is unchanged');
});
