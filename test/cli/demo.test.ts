// The demo's bookkeeping: its temp directory (database, SM2 key) is removed unless --keep, the
// closing lines mention --keep only as what it would do, and WS-Discovery counts only the demo's
// own cameras when other simulators on the machine answer the same multicast probe.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { closingLines, demoWorkspace, ownDevices } from '../../src/cli/demo.js';
import { probe } from '../../src/protocols/onvif/index.js';
import { startDiscoveryResponder } from '../../src/sim/onvif/index.js';

t.test('the demo temp directory is removed at the end unless --keep; a --data-dir is left alone', async (t) => {
  const plain = demoWorkspace({});
  t.ok(plain.dir.startsWith(path.join(os.tmpdir(), 'vcgw-demo-')) && fs.existsSync(plain.dir));
  fs.writeFileSync(path.join(plain.dir, 'gateway.toml'), 'sm2_private_key = "…"');
  plain.remove();
  t.notOk(fs.existsSync(plain.dir), 'removed, with what was written in it');

  const kept = demoWorkspace({ keep: true });
  t.teardown(() => fs.rmSync(kept.dir, { recursive: true, force: true }));
  kept.remove();
  t.ok(fs.existsSync(kept.dir), '--keep leaves it for a look around');

  const given = path.join(t.testdir(), 'mine');
  const mine = demoWorkspace({ dataDir: given });
  t.equal(mine.dir, given);
  mine.remove();
  t.ok(fs.existsSync(given), "the user's --data-dir is never removed");
});

t.test('the closing lines talk about a running demo only when it keeps running', async (t) => {
  const once = closingLines({ keep: false, configFile: '/tmp/x/gateway.toml', received: 42, removed: true }).join('\n');
  t.notMatch(once, /While the demo runs|--config .* status/);
  t.equal(once, 'The province simulator received 42 requests.\nRun `vcgw demo --keep` to leave it running and look around (vcgw status, ffplay rtmp://…); its temp directory is removed now.');
  const kept = closingLines({ keep: true, configFile: '/tmp/x/gateway.toml', received: 42, removed: false }).join('\n');
  t.match(kept, /While the demo runs, see every camera and pipeline with:\n {2}vcgw --config \/tmp\/x\/gateway\.toml status\nRunning until Ctrl-C\.$/);
});

t.test("WS-Discovery in the demo counts its own cameras, and names the others that answered", async (t) => {
  const url = (port: number) => `http://127.0.0.1:${port}/onvif/device_service`;
  const first = await startDiscoveryResponder({ port: 0, xaddrs: [url(18001)] });
  t.teardown(() => first.close());
  // Same multicast group and port: like simulators of another process (a test, a second demo) on the machine.
  const rest = await Promise.all([18002, 18003].map((p) => startDiscoveryResponder({ port: first.port, xaddrs: [url(p)] })));
  t.teardown(() => Promise.all(rest.map((r) => r.close())));
  const found = await probe({ interface: '127.0.0.1', port: first.port, timeoutMs: 500 });
  const { own, others } = ownDevices(found, [url(18001), `${url(18003)}?x=1`]);
  t.same(own.map((f) => f.address).sort(), [url(18001), url(18003)]);
  t.same(others.map((f) => f.address), [url(18002)]);
});
