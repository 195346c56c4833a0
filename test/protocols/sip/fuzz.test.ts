// Thousands of mutated SIP messages (byte flips, truncation, duplicated headers, huge
// Content-Length, binary junk) fed to a real endpoint over UDP and TCP: it never crashes, never
// lets an exception out, and keeps answering valid requests in between and afterwards.
import t from 'tap';
import iconv from 'iconv-lite';
import { SipEndpoint, header } from '../../../src/protocols/sip/index.js';
import { mutateSip as mutate, options, rawTcp, rawUdp, sipText, type RawPeer } from '../../helpers/sipRaw.js';
// Deterministic mutations, so a failure replays the same way.
import { seededRandom as prng } from '../../../src/sim/random.js';

function seeds(port: number, transport: string): Buffer[] {
  const common = (method: string, n: number) => [
    `Via: SIP/2.0/${transport} 127.0.0.1:${port};rport;branch=z9hG4bKfz${n}`,
    'From: <sip:34020000001320000001@3402000000>;tag=fz',
    'To: <sip:34020000002000000001@3402000000>',
    `Call-ID: fuzz${n}@127.0.0.1`,
    `CSeq: ${n} ${method}`,
    'Max-Forwards: 70',
  ];
  const xml = iconv.encode(
    '<?xml version="1.0" encoding="GB2312"?>\r\n<Response><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>34020000001110000001</DeviceID><SumNum>1</SumNum><DeviceList Num="1"><Item><DeviceID>34020000001320000001</DeviceID><Name>收费站</Name></Item></DeviceList></Response>',
    'gb2312',
  );
  return [
    sipText(['REGISTER sip:34020000002000000001@3402000000 SIP/2.0', ...common('REGISTER', 1), 'Contact: <sip:34020000001320000001@127.0.0.1:5060>', 'Expires: 3600']),
    sipText(['MESSAGE sip:34020000002000000001@3402000000 SIP/2.0', ...common('MESSAGE', 2), 'Content-Type: Application/MANSCDP+xml'], xml),
    sipText(['INVITE sip:34020000001320000001@3402000000 SIP/2.0', ...common('INVITE', 3), 'Content-Type: application/sdp'], 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 30000 RTP/AVP 96\r\na=rtpmap:96 PS/90000\r\ny=0100000001\r\n'),
    sipText(['SIP/2.0 200 OK', ...common('MESSAGE', 4)]),
  ];
}

/**
 * A valid OPTIONS from a real client endpoint: over UDP it retransmits (Timer E) as any SIP
 * client would, so a probe lost in a full socket buffer on a busy machine is not a failure.
 */
async function answers(client: SipEndpoint, port: number): Promise<boolean> {
  const res = await client.request({ method: 'OPTIONS', uri: 'sip:probe@127.0.0.1', from: '<sip:probe@127.0.0.1>', to: '<sip:x@127.0.0.1>', target: { transport: 'UDP', address: '127.0.0.1', port } });
  return res.status === 200;
}

async function alive(peer: RawPeer, transport: string): Promise<boolean> {
  const req = options(peer.port, transport);
  const callId = /Call-ID: (\S+)/.exec(req.toString())![1];
  peer.send(req);
  const m = await peer.until((x) => x.kind === 'response' && header(x, 'call-id') === callId, 5000);
  return m.kind === 'response' && m.status === 200;
}

t.test('UDP: 3000 mutated datagrams, the endpoint answers valid requests throughout', async (t) => {
  let errors = 0;
  const ep = await SipEndpoint.start({
    host: '127.0.0.1',
    port: 0,
    rateLimit: null,
    timers: { T1: 20, T2: 80, T4: 100 },
    log: (level) => {
      if (level === 'error') errors++;
    },
  });
  t.teardown(() => ep.close());
  ep.onRequest((r) => (r.request.method === 'INVITE' ? void r.accept({}).catch(() => undefined) : r.reply(200)));
  const peer = await rawUdp(ep.port);
  t.teardown(() => peer.close());
  const rnd = prng(28181);
  const corpus = seeds(peer.port, 'UDP');
  const client = await SipEndpoint.start({ host: '127.0.0.1', port: 0, tcp: false, timers: { T1: 100, T2: 400, T4: 500 } });
  t.teardown(() => client.close());
  let aliveChecks = 0;
  for (let i = 0; i < 3000; i++) {
    peer.send(mutate(corpus[i % corpus.length]!, rnd));
    // Pace the flood so loopback buffers do not drop the liveness probes.
    if (i % 100 === 99 && (await answers(client, ep.port))) aliveChecks++;
  }
  t.equal(aliveChecks, 30, 'answered a valid OPTIONS after every 100 mutants');
  t.ok(await answers(client, ep.port), 'and after the whole run');
  t.equal(errors, 0, 'no error-level log: nothing escaped a parser or handler');
});

t.test('TCP: mutated messages on fresh connections; the endpoint keeps serving new ones', async (t) => {
  const ep = await SipEndpoint.start({ host: '127.0.0.1', port: 0, rateLimit: null, maxMessageBytes: 16384 });
  t.teardown(() => ep.close());
  ep.onRequest((r) => r.reply(200));
  const rnd = prng(2016);
  let answered = 0;
  for (let round = 0; round < 20; round++) {
    const conn = await rawTcp(ep.port);
    const corpus = seeds(conn.port, 'TCP');
    for (let i = 0; i < 50; i++) conn.send(mutate(corpus[i % corpus.length]!, rnd));
    await conn.close();
    const probe = await rawTcp(ep.port);
    if (await alive(probe, 'TCP')) answered++;
    await probe.close();
  }
  t.equal(answered, 20, 'a fresh connection is answered after each batch of 50 mutants');
});
