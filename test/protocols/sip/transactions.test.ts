// RFC 3261 transactions over real sockets with a short T1: retransmission over UDP, none over
// TCP, Timer F/B time-outs, server-side absorption of retransmitted requests, ACK for failures.
import t from 'tap';
import net from 'node:net';
import { SipEndpoint, SipTimeoutError, header, makeResponse, parseCSeq, parseVia, serializeMessage, type SipRequest } from '../../../src/protocols/sip/index.js';
import { StreamFramer } from '../../../src/protocols/sip/framing.js';
import { freePort } from '../../../src/sim/ports.js';
import { options, rawUdp, sipText } from '../../helpers/sipRaw.js';

const T1 = 20;
const timers = { T1, T2: 80, T4: 100 };

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function endpoint(t: Teardown, extra: { udp?: boolean; tcp?: boolean } = {}) {
  const ep = await SipEndpoint.start({ host: '127.0.0.1', port: 0, timers, ...extra });
  t.teardown(() => ep.close());
  return ep;
}

const message = (ep: SipEndpoint, port: number, transport: 'UDP' | 'TCP') =>
  ep.request({
    method: 'MESSAGE',
    uri: 'sip:34020000001320000001@127.0.0.1',
    from: '<sip:34020000002000000001@3402000000>',
    to: '<sip:34020000001320000001@3402000000>',
    target: { transport, address: '127.0.0.1', port },
    body: Buffer.from('<Query/>'),
    contentType: 'Application/MANSCDP+xml',
  });

t.test('UDP: an unanswered MESSAGE is retransmitted (Timer E) with one branch, then times out (Timer F)', async (t) => {
  const ep = await endpoint(t);
  const peer = await rawUdp(ep.port);
  t.teardown(() => peer.close());
  const started = Date.now();
  const outcome = await message(ep, peer.port, 'UDP').then(
    () => null,
    (err: unknown) => err,
  );
  const elapsed = Date.now() - started;
  t.type(outcome, SipTimeoutError, 'rejected with a timeout');
  t.ok(elapsed >= 64 * T1, `not before 64*T1 (${elapsed} ms)`);
  const copies = peer.queued.filter((m): m is SipRequest => m.kind === 'request');
  t.ok(copies.length >= 5, `retransmitted (${copies.length} copies in 64*T1)`);
  t.equal(new Set(copies.map((c) => parseVia(header(c, 'via')!)?.params['branch'])).size, 1, 'every copy has the same branch');
});

t.test('TCP: no retransmission, the same time-out', async (t) => {
  const ep = await endpoint(t);
  const received: Buffer[] = [];
  const sockets: net.Socket[] = [];
  const srv = net.createServer((s) => {
    sockets.push(s);
    const f = new StreamFramer(65535);
    s.on('data', (c: Buffer) => {
      for (const fr of f.push(c)) if (fr.kind === 'message') received.push(fr.bytes);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => srv.close(r));
  });
  const port = (srv.address() as net.AddressInfo).port;
  const err = await message(ep, port, 'TCP').catch((e: unknown) => e);
  t.type(err, SipTimeoutError);
  t.equal(received.length, 1, 'sent once');
});

t.test('a provisional response stops INVITE retransmission; a 486 is ACKed on the same branch', async (t) => {
  const ep = await endpoint(t);
  const peer = await rawUdp(ep.port);
  t.teardown(() => peer.close());
  const provisional: number[] = [];
  const result = ep.invite({
    uri: 'sip:34020000001320000001@127.0.0.1',
    from: '<sip:34020000002000000001@3402000000>',
    to: '<sip:34020000001320000001@3402000000>',
    target: { transport: 'UDP', address: '127.0.0.1', port: peer.port },
    onProvisional: (r) => provisional.push(r.status),
  });
  const invite = (await peer.next()) as SipRequest;
  t.equal(invite.method, 'INVITE');
  const send = (status: number) => peer.send(serializeMessage(makeResponse(invite, status, undefined, 'uas1')));
  send(180);
  send(486);
  const { response, dialog } = await result;
  t.equal(response.status, 486);
  t.equal(dialog, null);
  t.same(provisional, [180]);
  let ack = (await peer.next()) as SipRequest;
  while (ack.method === 'INVITE') ack = (await peer.next()) as SipRequest; // copies sent before the 180 arrived
  t.equal(ack.method, 'ACK');
  t.equal(parseVia(header(ack, 'via')!)?.params['branch'], parseVia(header(invite, 'via')!)?.params['branch'], 'same branch as the INVITE');
  t.same(parseCSeq(header(ack, 'cseq')!), { seq: parseCSeq(header(invite, 'cseq')!)!.seq, method: 'ACK' });
  t.match(header(ack, 'to'), /tag=uas1/);
  send(486);
  const again = (await peer.next()) as SipRequest;
  t.equal(again.method, 'ACK', 'a retransmitted 486 is ACKed again (Timer D state)');
});

t.test('server side: a retransmitted request gets the same response and reaches the handler once', async (t) => {
  const ep = await endpoint(t);
  let calls = 0;
  ep.onRequest((r) => {
    calls++;
    r.reply(200, { headers: [['X-Call', String(calls)]] });
  });
  const peer = await rawUdp(ep.port);
  t.teardown(() => peer.close());
  const req = options(peer.port);
  peer.send(req);
  const first = await peer.next();
  peer.send(req);
  const second = await peer.next();
  t.equal(calls, 1);
  t.equal(header(first, 'x-call'), '1');
  t.same(serializeMessage(second), serializeMessage(first), 'byte-identical answer');
});

t.test('server side: a failure to INVITE is retransmitted until ACKed (Timer G)', async (t) => {
  const ep = await endpoint(t);
  ep.onRequest((r) => r.reply(486));
  const peer = await rawUdp(ep.port);
  t.teardown(() => peer.close());
  peer.send(
    sipText([
      'INVITE sip:34020000001320000001@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKinv486`,
      'From: <sip:a@b>;tag=1',
      'To: <sip:c@d>',
      'Call-ID: g1',
      'CSeq: 1 INVITE',
    ]),
  );
  const statuses: number[] = [];
  while (statuses.filter((s) => s === 486).length < 3) {
    const m = await peer.next();
    if (m.kind === 'response') statuses.push(m.status);
  }
  t.same(statuses, [100, 486, 486, 486], '100 Trying, then the 486 and its retransmissions');
});

t.test('old-style branch (no z9hG4bK cookie) still matches retransmissions', async (t) => {
  const ep = await endpoint(t);
  let calls = 0;
  ep.onRequest((r) => {
    calls++;
    r.reply(200);
  });
  const peer = await rawUdp(ep.port);
  t.teardown(() => peer.close());
  const req = sipText([
    'MESSAGE sip:a@b SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=1404012727`,
    'From: <sip:34020000001320000001@3402000000>;tag=77',
    'To: <sip:a@b>',
    'Call-ID: old',
    'CSeq: 3 MESSAGE',
  ]);
  peer.send(req);
  await peer.next();
  peer.send(req);
  await peer.next();
  t.equal(calls, 1);
});

t.test('CANCEL of a pending INVITE: 200 to the CANCEL, 487 to the INVITE, the handler told', async (t) => {
  const ep = await endpoint(t);
  let cancelled = 0;
  ep.onRequest((r) => r.onCancel(() => cancelled++));
  const peer = await rawUdp(ep.port);
  t.teardown(() => peer.close());
  const common = [`Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKcancelme`, 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>', 'Call-ID: cancel1', 'Max-Forwards: 70'];
  peer.send(sipText(['INVITE sip:c@127.0.0.1 SIP/2.0', ...common, 'CSeq: 1 INVITE']));
  const trying = await peer.next();
  t.equal(trying.kind === 'response' && trying.status, 100);
  peer.send(sipText(['CANCEL sip:c@127.0.0.1 SIP/2.0', ...common, 'CSeq: 1 CANCEL']));
  const got: string[] = [];
  while (got.length < 2) {
    const m = await peer.next();
    if (m.kind === 'response') got.push(`${m.status} ${parseCSeq(header(m, 'cseq')!)!.method}`);
  }
  t.same(got.sort(), ['200 CANCEL', '487 INVITE']);
  t.equal(cancelled, 1);
  peer.send(sipText(['CANCEL sip:c@127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKnosuch`, 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>', 'Call-ID: cancel2', 'CSeq: 1 CANCEL']));
  const none = await peer.until((m) => m.kind === 'response' && header(m, 'call-id') === 'cancel2');
  t.equal(none.kind === 'response' && none.status, 481, 'nothing to cancel: 481');
});

t.test('UDP: an unanswered INVITE is retransmitted with doubling intervals (Timer A), then times out (Timer B)', async (t) => {
  const ep = await endpoint(t);
  const peer = await rawUdp(ep.port);
  t.teardown(() => peer.close());
  const started = Date.now();
  const err = await ep
    .invite({ uri: 'sip:c@127.0.0.1', from: '<sip:a@b>', to: '<sip:c@d>', target: { transport: 'UDP', address: '127.0.0.1', port: peer.port } })
    .catch((e: unknown) => e);
  t.type(err, SipTimeoutError);
  t.ok(Date.now() - started >= 64 * T1, 'not before 64*T1');
  const copies = peer.queued.filter((m) => m.kind === 'request' && m.method === 'INVITE').length;
  // Timer A doubles without cap: 0, T1, 3T1, 7T1, 15T1, 31T1, 63T1 → at most 7 copies in 64*T1.
  t.ok(copies >= 2 && copies <= 7, `${copies} copies: doubling, not the capped non-INVITE pace`);
});

t.test('TCP: a refused connection fails the request at once with the transport error, not a time-out', async (t) => {
  const ep = await endpoint(t);
  const port = await freePort();
  const started = Date.now();
  const err = await message(ep, port, 'TCP').catch((e: unknown) => e);
  t.notOk(err instanceof SipTimeoutError, 'not a time-out');
  t.match(err, { code: 'ECONNREFUSED' });
  t.ok(Date.now() - started < 64 * T1, 'before Timer F');
});
