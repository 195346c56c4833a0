// Our WS-Discovery prober against the simulator's responders, unicast and multicast on loopback.
import t from 'tap';
import { probe, type DiscoveredCamera } from '../../../src/protocols/onvif/index.js';
import { startDiscoveryResponder, WS_DISCOVERY_GROUP, type DiscoveryResponder, type DiscoveryResponderOptions } from '../../../src/sim/onvif/index.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function responder(t: Teardown, o: DiscoveryResponderOptions): Promise<DiscoveryResponder> {
  const r = await startDiscoveryResponder({ port: 0, ...o });
  t.teardown(() => r.close());
  return r;
}

const xaddr = (i: number): string => `http://127.0.0.1:${8000 + i}/onvif/device_service`;

t.test('unicast probes of three responders return their XAddrs, scopes and endpoints', async (t) => {
  const rs = await Promise.all(
    [1, 2, 3].map((i) =>
      responder(t, {
        xaddrs: [xaddr(i), `http://[fe80::${i}]/onvif/device_service`],
        scopes: { name: `K12+300 Cam ${i}`, hardware: 'DS-2CD2T47', location: 'guangdong/k12' },
        multicast: false,
      }),
    ),
  );
  const answers = await Promise.all(rs.map((r) => probe({ address: '127.0.0.1', port: r.port, timeoutMs: 300 })));
  answers.forEach((found, i) => {
    const r = rs[i]!;
    t.equal(found.length, 1, `responder ${i + 1} answered once`);
    t.match(found[0], {
      address: xaddr(i + 1),
      xaddrs: [xaddr(i + 1), `http://[fe80::${i + 1}]/onvif/device_service`],
      name: `K12+300 Cam ${i + 1}`,
      hardware: 'DS-2CD2T47',
      location: 'guangdong/k12',
      endpoint: r.endpoint,
    });
    t.same(found[0]?.scopes, r.scopes);
    t.match(r.probes(), [{ types: ['NetworkVideoTransmitter'], matched: true }], 'the responder saw a valid Probe');
  });
});

t.test('a probe nobody answers returns [] after the timeout', async (t) => {
  // A port that just had a responder and now has none.
  const r = await startDiscoveryResponder({ port: 0, xaddrs: [xaddr(0)], multicast: false });
  await r.close();
  const t0 = Date.now();
  t.same(await probe({ address: '127.0.0.1', port: r.port, timeoutMs: 200 }), []);
  t.ok(Date.now() - t0 >= 190);
});

async function multicastGroup(t: Teardown, n: number): Promise<DiscoveryResponder[]> {
  const first = await responder(t, { xaddrs: [xaddr(0)], scopes: { name: 'cam 0' } });
  const rest = await Promise.all(
    Array.from({ length: n - 1 }, (_, i) => responder(t, { xaddrs: [xaddr(i + 1)], scopes: { name: `cam ${i + 1}` }, port: first.port })),
  );
  return [first, ...rest];
}

t.test('a multicast probe on loopback finds every responder once', async (t) => {
  const rs = await multicastGroup(t, 3);
  t.ok(rs.every((r) => r.multicastJoined), 'all joined 239.255.255.250 on 127.0.0.1');
  const found = await probe({ address: WS_DISCOVERY_GROUP, port: rs[0]!.port, interface: '127.0.0.1', timeoutMs: 500 });
  t.same(found.map((f) => f.endpoint).sort(), rs.map((r) => r.endpoint).sort());
  t.same(found.map((f) => f.name).sort(), ['cam 0', 'cam 1', 'cam 2']);
});

t.test('discovery time for 50 simulated cameras', async (t) => {
  const n = 50;
  const rs = await multicastGroup(t, n);
  t.ok(rs.every((r) => r.multicastJoined));
  let lastAt = 0;
  let all: () => void = () => {};
  const allFound = new Promise<void>((r) => (all = r));
  const seen: DiscoveredCamera[] = [];
  const t0 = performance.now();
  const done = probe({
    address: WS_DISCOVERY_GROUP,
    port: rs[0]!.port,
    interface: '127.0.0.1',
    timeoutMs: 2000,
    onFound: (c) => {
      seen.push(c);
      lastAt = performance.now() - t0;
      if (seen.length === n) all();
    },
  });
  await Promise.race([allFound, done]);
  const found = await done;
  const total = performance.now() - t0;
  t.equal(found.length, n, 'all 50 answered a single multicast probe');
  t.equal(new Set(found.map((f) => f.address)).size, n);
  t.comment(`discovery time for ${n} simulated cameras: last ProbeMatch after ${lastAt.toFixed(1)} ms; probe() returned after its ${2000} ms window (${total.toFixed(0)} ms)`);
  t.ok(lastAt < 2000);

  // Unicast fallback where multicast is filtered: one probe per known address, all in parallel.
  const u0 = performance.now();
  const uni = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const r = await responder(t, { xaddrs: [xaddr(100 + i)], multicast: false });
      return r;
    }),
  ).then((us) => {
    const start = performance.now();
    return Promise.all(us.map((u) => probe({ address: '127.0.0.1', port: u.port, timeoutMs: 300 }))).then((res) => ({ res, ms: performance.now() - start }));
  });
  t.equal(uni.res.flat().length, n);
  t.comment(`unicast: ${n} parallel probes (300 ms window each) took ${uni.ms.toFixed(0)} ms incl. the window; setup ${(performance.now() - u0 - uni.ms).toFixed(0)} ms`);
});
