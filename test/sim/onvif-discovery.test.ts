// The WS-Discovery responder against raw UDP probes (the message agsh/onvif sends), parsed the way
// that library parses ProbeMatches. Probes go to a port chosen per test, not 3702 (see report).
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import t from 'tap';
import { startDiscoveryResponder, WS_DISCOVERY_GROUP, type DiscoveryResponderOptions } from '../../src/sim/onvif/index.js';
import { waitUntil, withTimeout } from './camera-helpers.js';
import { startSim } from './onvif-helpers.js';

const require = createRequire(import.meta.url);
type ParseCb = (err: Error | null, data: unknown) => void;
const utils = require('onvif/lib/utils') as { parseSOAPString(xml: string, cb: ParseCb, status: number): void; linerase(x: unknown): unknown };

/** The probe onvif 0.8.3 Discovery.probe sends, with an optional scope filter. */
function probeXml(messageId: string, types = 'dn:NetworkVideoTransmitter', scopes = ''): string {
  return (
    '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><Header>' +
    `<wsa:MessageID xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">${messageId}</wsa:MessageID>` +
    '<wsa:To xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>' +
    '<wsa:Action xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>' +
    '</Header><Body><Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery">' +
    `<Types>${types}</Types><Scopes>${scopes}</Scopes></Probe></Body></Envelope>`
  );
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function client(t: Teardown): Promise<{ sock: dgram.Socket; next(ms: number): Promise<string> }> {
  const sock = dgram.createSocket('udp4');
  const queue: string[] = [];
  const waiters: Array<(s: string) => void> = [];
  sock.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m.toString('utf8'));
    else queue.push(m.toString('utf8'));
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  t.teardown(() => sock.close());
  return {
    sock,
    next: (ms) => withTimeout(new Promise<string>((r) => (queue.length ? r(queue.shift()!) : waiters.push(r))), ms, 'a ProbeMatches'),
  };
}

async function responder(t: Teardown, o: DiscoveryResponderOptions) {
  const r = await startDiscoveryResponder({ port: 0, ...o });
  t.teardown(() => r.close());
  return r;
}

function parseLikeOnvif(xml: string): Promise<{ probeMatches: { probeMatch: { endpointReference: { address: string }; XAddrs: string; scopes: string } } }> {
  return new Promise((resolve, reject) =>
    utils.parseSOAPString(xml, (err, data) => (err ? reject(err) : resolve(utils.linerase(data) as never)), 200),
  );
}

t.test('a unicast Probe gets a ProbeMatch with XAddrs, scopes and the endpoint UUID', async (t) => {
  const sim = await startSim(t);
  const uuid = '4a1c7a2e-0000-4000-8000-00000000c0de';
  const r = await responder(t, { xaddrs: [sim.url], uuid, scopes: { name: 'K12+300 Cam 3', hardware: 'DS-2CD2T47', location: 'guangdong/k12' }, multicast: false });
  const c = await client(t);
  c.sock.send(probeXml('urn:uuid:probe-1'), r.port, '127.0.0.1');
  const xml = await c.next(3000);
  t.match(xml, /<wsa:RelatesTo>urn:uuid:probe-1<\/wsa:RelatesTo>/);
  const parsed = await parseLikeOnvif(xml);
  const m = parsed.probeMatches.probeMatch;
  t.equal(m.endpointReference.address, `urn:uuid:${uuid}`);
  t.equal(m.XAddrs, sim.url);
  const scopes = m.scopes.split(' ');
  t.ok(scopes.includes('onvif://www.onvif.org/name/K12%2B300%20Cam%203'), m.scopes);
  t.ok(scopes.includes('onvif://www.onvif.org/hardware/DS-2CD2T47'));
  t.ok(scopes.includes('onvif://www.onvif.org/location/guangdong%2Fk12'));
  t.match(r.probes(), [{ messageId: 'urn:uuid:probe-1', types: ['NetworkVideoTransmitter'], matched: true }]);
});

t.test('a multicast Probe to 239.255.255.250 on loopback is answered', async (t) => {
  const r = await responder(t, { xaddrs: ['http://127.0.0.1:8000/onvif/device_service'] });
  if (!r.multicastJoined) {
    t.fail('could not join 239.255.255.250 on 127.0.0.1 on this host');
    return;
  }
  const c = await client(t);
  c.sock.setMulticastInterface('127.0.0.1');
  c.sock.send(probeXml('urn:uuid:probe-mc'), r.port, WS_DISCOVERY_GROUP);
  const parsed = await parseLikeOnvif(await c.next(3000));
  t.equal(parsed.probeMatches.probeMatch.endpointReference.address, r.endpoint);
});

t.test('probes for other device types or scopes we lack get no answer', async (t) => {
  const r = await responder(t, { xaddrs: ['http://127.0.0.1:8000/onvif/device_service'], scopes: { location: 'k12' }, multicast: false });
  const c = await client(t);
  c.sock.send(probeXml('urn:uuid:printer', 'wsdp:Printer'), r.port, '127.0.0.1');
  c.sock.send(probeXml('urn:uuid:elsewhere', '', 'onvif://www.onvif.org/location/k99'), r.port, '127.0.0.1');
  c.sock.send(probeXml('urn:uuid:here', '', 'onvif://www.onvif.org/location'), r.port, '127.0.0.1');
  await waitUntil('three probes logged', () => r.probes().length === 3, 3000);
  const xml = await c.next(3000);
  t.match(xml, /RelatesTo>urn:uuid:here</, 'only the matching probe is answered');
  t.match(
    r.probes().map((p) => [p.messageId, p.matched]),
    [
      ['urn:uuid:printer', false],
      ['urn:uuid:elsewhere', false],
      ['urn:uuid:here', true],
    ],
  );
});
