// The endpoint over real UDP and TCP sockets on 127.0.0.1: one port for both, tolerance of
// sloppy devices, the right errors for malformed and oversized requests, rport/received, the
// per-address rate limit.
import t from 'tap';
import iconv from 'iconv-lite';
import { SipEndpoint, header, parseVia, type IncomingRequest, type SipEndpointOptions, type SipResponse } from '../../../src/protocols/sip/index.js';
import { options, rawTcp, rawUdp, sipText } from '../../helpers/sipRaw.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

async function server(t: Teardown, opts: Partial<SipEndpointOptions> = {}) {
  const logs: LogLine[] = [];
  const seen: IncomingRequest[] = [];
  const ep = await SipEndpoint.start({ host: '127.0.0.1', port: 0, log: (level, msg, fields) => logs.push({ level, msg, fields }), ...opts });
  ep.onRequest((r) => {
    seen.push(r);
    r.reply(200);
  });
  t.teardown(() => ep.close());
  return { ep, logs, seen };
}

function res(m: unknown): SipResponse {
  const r = m as SipResponse;
  if (r.kind !== 'response') throw new Error('expected a response');
  return r;
}

t.test('UDP and TCP on one port; a sloppy device message is accepted and its GB2312 body kept', async (t) => {
  const { ep, seen } = await server(t);
  const body = iconv.encode('<?xml version="1.0" encoding="GB2312"?><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>34020000001110000001</DeviceID><Status>OK</Status><Name>路段</Name></Notify>', 'gb2312');
  const lines = (transport: string, port: number) => [
    'MESSAGE sip:34020000002000000001@3402000000 SIP/2.0',
    `v: SIP/2.0/${transport} 127.0.0.1:${port};rport;branch=z9hG4bK${transport}1`,
    'f: <sip:34020000001110000001@3402000000>;tag=11',
    't: <sip:34020000002000000001@3402000000>',
    `i: ka-${transport}`,
    'cseq: 20 MESSAGE',
    'c: Application/MANSCDP+xml',
  ];
  const udp = await rawUdp(ep.port);
  t.teardown(() => udp.close());
  udp.send(sipText(lines('UDP', udp.port), body, { noLength: true }));
  const r1 = res(await udp.next());
  t.equal(r1.status, 200, 'answered over UDP');
  t.equal(header(r1, 'call-id'), 'ka-UDP');
  t.match(header(r1, 'to'), /;tag=\w+/, 'To tag added');

  const tcp = await rawTcp(ep.port);
  t.teardown(() => tcp.close());
  tcp.send(sipText(lines('TCP', tcp.port), body));
  const r2 = res(await tcp.next());
  t.equal(r2.status, 200, 'answered over TCP on the same port');
  t.equal(seen.length, 2);
  t.ok(seen[0]!.request.body.equals(body) && seen[1]!.request.body.equals(body), 'bodies are the GB2312 bytes sent');
  t.same(seen.map((s) => s.remote.transport), ['UDP', 'TCP']);
});

t.test('a request missing a header gets a 400 naming it; garbage is dropped with one log line', async (t) => {
  const { ep, logs, seen } = await server(t);
  const udp = await rawUdp(ep.port);
  t.teardown(() => udp.close());
  udp.send(
    sipText([
      'REGISTER sip:3402000000 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${udp.port};branch=z9hG4bKnocallid`,
      'From: <sip:34020000001320000001@3402000000>;tag=1',
      'To: <sip:34020000001320000001@3402000000>',
      'CSeq: 1 REGISTER',
    ]),
  );
  const r = res(await udp.next());
  t.equal(r.status, 400);
  t.equal(r.reason, 'Missing or malformed Call-ID header');
  udp.send(sipText(['MESSAGE sip:a@b SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:${udp.port};branch=z9hG4bKshort`, 'From: <sip:a@b>;tag=1', 'To: <sip:a@b>', 'Call-ID: c', 'CSeq: 2 MESSAGE', 'Content-Length: 900'], 'short', { noLength: true }));
  const r2 = res(await udp.next());
  t.equal(r2.status, 400);
  t.equal(r2.reason, 'Bad Request (Content-Length 900 is larger than the 5 bytes received)');
  const before = logs.length;
  udp.send(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a, 0x41]));
  udp.send(options(udp.port));
  const r3 = res(await udp.next());
  t.equal(r3.status, 200, 'still answering after garbage');
  t.equal(logs.length - before, 1, 'the garbage cost one log line');
  t.match(logs[before], { level: 'warn', msg: 'malformed SIP message', fields: { error: /bad start line/ } });
  t.equal(seen.length, 1, 'only the valid request reached the handler');
});

t.test('oversized messages: 513 over UDP; 513 and the connection closed over TCP', async (t) => {
  const { ep, seen } = await server(t, { maxMessageBytes: 2000 });
  const big = (transport: string, port: number) =>
    sipText(['MESSAGE sip:a@b SIP/2.0', `Via: SIP/2.0/${transport} 127.0.0.1:${port};branch=z9hG4bKbig${transport}`, 'From: <sip:a@b>;tag=1', 'To: <sip:a@b>', 'Call-ID: big', 'CSeq: 1 MESSAGE'], Buffer.alloc(5000, 0x61));
  const udp = await rawUdp(ep.port);
  t.teardown(() => udp.close());
  udp.send(big('UDP', udp.port));
  t.equal(res(await udp.next()).status, 513);
  const tcp = await rawTcp(ep.port);
  t.teardown(() => tcp.close());
  tcp.send(big('TCP', tcp.port));
  t.equal(res(await tcp.next()).status, 513);
  await tcp.ended;
  t.pass('the server closed the TCP connection it could not resynchronise');
  t.equal(seen.length, 0);
});

t.test('rport/received: the answer goes to the source port, and the Via says where we saw the device', async (t) => {
  const { ep } = await server(t);
  const udp = await rawUdp(ep.port);
  t.teardown(() => udp.close());
  // The device believes it is 192.168.1.64:5060 (its LAN side); NAT sends from elsewhere.
  udp.send(
    sipText([
      'REGISTER sip:3402000000 SIP/2.0',
      'Via: SIP/2.0/UDP 192.168.1.64:5060;rport;branch=z9hG4bKnat',
      'From: <sip:34020000001320000001@3402000000>;tag=1',
      'To: <sip:34020000001320000001@3402000000>',
      'Call-ID: nat1',
      'CSeq: 1 REGISTER',
      'Expires: 3600',
    ]),
  );
  const r = res(await udp.next());
  t.equal(r.status, 200, 'the answer reached the NAT-side port, not 5060');
  t.same(parseVia(header(r, 'via')!)?.params, { rport: String(udp.port), branch: 'z9hG4bKnat', received: '127.0.0.1' });
});

t.test('a flood from one address is limited; another address is still answered', async (t) => {
  const { ep, logs, seen } = await server(t, { rateLimit: { perSecond: 0.001, burst: 5 } });
  const flood = await rawUdp(ep.port);
  t.teardown(() => flood.close());
  for (let i = 0; i < 30; i++) flood.send(options(flood.port));
  const other = await rawUdp(ep.port, '127.0.0.2');
  t.teardown(() => other.close());
  other.send(options(other.port));
  t.equal(res(await other.next()).status, 200, 'another address is answered');
  // Datagrams are handled in arrival order: every flood message was judged before this answer.
  t.equal(seen.length, 6, 'five from the flood (its burst) and the other one');
  t.equal(logs.filter((l) => l.msg.includes('rate-limited')).length, 1, 'one log line for the whole flood');
  t.match(logs.find((l) => l.msg.includes('rate-limited')), { fields: { address: '127.0.0.1' } });
});

t.test('no handler: 501; a throwing handler: 500 and a log line, the endpoint lives on', async (t) => {
  const logs: string[] = [];
  const ep = await SipEndpoint.start({ host: '127.0.0.1', port: 0, log: (_l, msg) => logs.push(msg) });
  t.teardown(() => ep.close());
  const udp = await rawUdp(ep.port);
  t.teardown(() => udp.close());
  udp.send(options(udp.port));
  t.equal(res(await udp.next()).status, 501);
  ep.onRequest(() => {
    throw new Error('bug in a handler');
  });
  udp.send(options(udp.port));
  t.equal(res(await udp.next()).status, 500);
  t.ok(logs.includes('SIP request handler failed'));
});

t.test('TCP connections beyond the limit are closed at once; those within keep working', async (t) => {
  const { ep, logs } = await server(t, { maxTcpConnections: 2 });
  const a = await rawTcp(ep.port);
  const b = await rawTcp(ep.port);
  t.teardown(() => Promise.all([a.close(), b.close()]));
  // Each connection is known to the server once it has answered on it.
  a.send(options(a.port, 'TCP'));
  b.send(options(b.port, 'TCP'));
  t.equal(res(await a.next()).status, 200);
  t.equal(res(await b.next()).status, 200);
  const c = await rawTcp(ep.port);
  await c.ended;
  t.pass('the third connection was closed by the server');
  t.equal(logs.filter((l) => l.msg === 'SIP TCP connections refused: limit reached').length, 1);
  a.send(options(a.port, 'TCP'));
  t.equal(res(await a.next()).status, 200, 'the first still answered');
});
