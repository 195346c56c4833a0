// Dialogs (INVITE/200/ACK/BYE both ways, over UDP and TCP) and digest authentication between
// two real endpoints on 127.0.0.1.
import t from 'tap';
import {
  DigestServer,
  SipEndpoint,
  answerChallenge,
  digestResponse,
  header,
  learnedAddress,
  parseAuth,
  parseVia,
  type Dialog,
  type DialogEnd,
  type TransportName,
} from '../../../src/protocols/sip/index.js';
import { rawUdp, sipText } from '../../helpers/sipRaw.js';

const timers = { T1: 20, T2: 80, T4: 100 };

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function pair(t: Teardown) {
  const a = await SipEndpoint.start({ host: '127.0.0.1', port: 0, timers });
  const b = await SipEndpoint.start({ host: '127.0.0.1', port: 0, timers });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  return { a, b };
}

function ended(d: Dialog): Promise<DialogEnd> {
  return new Promise((r) => d.onEnd(r));
}

for (const transport of ['UDP', 'TCP'] as TransportName[]) {
  t.test(`INVITE/200/ACK then BYE from the caller, then from the callee (${transport})`, async (t) => {
    const { a, b } = await pair(t);
    const accepted: Promise<Dialog>[] = [];
    b.onRequest((r) => {
      if (r.request.method === 'INVITE') accepted.push(r.accept({ body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' }));
      else r.reply(405);
    });
    for (const byeFrom of ['caller', 'callee'] as const) {
      const { response, dialog } = await a.invite({
        uri: `sip:34020000001320000001@127.0.0.1:${b.port}`,
        from: '<sip:34020000002000000001@3402000000>',
        to: '<sip:34020000001320000001@3402000000>',
        target: { transport, address: '127.0.0.1', port: b.port },
        body: Buffer.from('v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n'),
        contentType: 'application/sdp',
      });
      t.equal(response.status, 200);
      t.equal(response.body.toString(), 'v=0\r\n', `answer body (${byeFrom})`);
      t.ok(dialog, 'caller has a dialog');
      const callee = await accepted.at(-1)!;
      t.equal(callee.state.callId, dialog!.state.callId, 'the ACK confirmed the callee dialog');
      t.equal(callee.state.remoteTag, dialog!.state.localTag);
      t.equal(callee.state.localTag, dialog!.state.remoteTag);
      const [hangUp, other] = byeFrom === 'caller' ? [dialog!, callee] : [callee, dialog!];
      const otherEnd = ended(other);
      const byeAnswer = await hangUp.bye();
      t.equal(byeAnswer.status, 200, `BYE from the ${byeFrom} answered`);
      t.equal(await otherEnd, 'bye-received');
    }
    t.equal(a.dialogCount() + b.dialogCount(), 0, 'no dialog left');
  });
}

t.test('UAS: the 2xx is retransmitted over UDP until the ACK comes', async (t) => {
  const b = await SipEndpoint.start({ host: '127.0.0.1', port: 0, timers });
  t.teardown(() => b.close());
  let accepted: Promise<Dialog> | null = null;
  let calls = 0;
  b.onRequest((r) => {
    calls++;
    accepted = r.accept({});
  });
  const peer = await rawUdp(b.port);
  t.teardown(() => peer.close());
  const invite = (
    sipText([
      'INVITE sip:34020000001320000001@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKinv2xx`,
      'From: <sip:34020000002000000001@3402000000>;tag=caller',
      'To: <sip:34020000001320000001@3402000000>',
      'Call-ID: retx2xx',
      'CSeq: 5 INVITE',
      `Contact: <sip:34020000002000000001@127.0.0.1:${peer.port}>`,
    ])
  );
  peer.send(invite);
  const oks: string[] = [];
  while (oks.length < 3) {
    const m = await peer.next();
    if (m.kind === 'response' && m.status === 200) oks.push(header(m, 'to')!);
    // The caller's own retransmission after the 200 (RFC 6026): absorbed, not a second call.
    if (oks.length === 1) peer.send(invite);
  }
  t.equal(new Set(oks).size, 1, 'three copies of the same 200');
  t.equal(calls, 1, 'the retransmitted INVITE did not reach the handler again');
  peer.send(
    sipText([
      `ACK sip:34020000001320000001@127.0.0.1:${b.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKack2xx`,
      'From: <sip:34020000002000000001@3402000000>;tag=caller',
      `To: ${oks[0]}`,
      'Call-ID: retx2xx',
      'CSeq: 5 ACK',
    ]),
  );
  const d = await accepted!;
  t.equal(d.state.remoteTarget, `sip:34020000002000000001@127.0.0.1:${peer.port}`, 'remote target from Contact');
});

t.test('digest: challenge, right password (qop=auth), wrong password, without qop, stale nonce', async (t) => {
  const { a, b } = await pair(t);
  let now = 1_000_000;
  const digest = new DigestServer({ realm: '3402000000', nonceTtlMs: 60_000, now: () => now });
  const verdicts: string[] = [];
  b.onRequest((r) => {
    const v = digest.verify(r.request.method, header(r.request, 'authorization'), (u) => (u === '34020000001320000001' ? '12345678' : undefined));
    verdicts.push(v.ok ? 'ok' : v.reason);
    if (v.ok) r.reply(200, { headers: [['Date', '2026-12-06T01:30:00.000']] });
    else if (v.reason === 'missing' || v.reason === 'stale') r.reply(401, { headers: [['WWW-Authenticate', digest.challenge(v.reason === 'stale')]] });
    else r.reply(403);
  });
  const register = (password: string) =>
    a.request({
      method: 'REGISTER',
      uri: 'sip:34020000002000000001@3402000000',
      from: '<sip:34020000001320000001@3402000000>',
      to: '<sip:34020000001320000001@3402000000>',
      target: { transport: 'UDP', address: '127.0.0.1', port: b.port },
      extraHeaders: [['Expires', '3600']],
      auth: { username: '34020000001320000001', password },
    });
  t.equal((await register('12345678')).status, 200, 'right password');
  t.equal((await register('wrong')).status, 403, 'wrong password');
  t.same(verdicts, ['missing', 'ok', 'missing', 'wrong-password']);

  // A device answering without qop (RFC 2069 style), as many cameras do.
  const challenge = digest.challenge().replace(/, qop="auth"/, '');
  const noQop = answerChallenge(challenge, { username: '34020000001320000001', password: '12345678' }, 'REGISTER', 'sip:34020000002000000001@3402000000')!;
  t.notMatch(noQop, /qop=/);
  t.same(digest.verify('REGISTER', noQop, () => '12345678'), { ok: true, username: '34020000001320000001' });

  // The same answer a minute later: stale, and only because the password was right.
  now += 61_000;
  t.same(digest.verify('REGISTER', noQop, () => '12345678'), { ok: false, reason: 'stale', username: '34020000001320000001' });
  t.same(digest.verify('REGISTER', noQop, () => 'other'), { ok: false, reason: 'wrong-password', username: '34020000001320000001' });
  const forged = noQop.replace(/nonce="[0-9a-f]+"/, `nonce="${(now - 1000).toString(16)}${'0'.repeat(24)}"`);
  t.match(digest.verify('REGISTER', forged, () => '12345678'), { ok: false, reason: 'bad-nonce' });
  t.match(digest.verify('REGISTER', noQop.replace('realm="3402000000"', 'realm="x"'), () => '12345678'), { ok: false, reason: 'wrong-realm' });

  // Over the wire the stale nonce earns a stale=true challenge, which the client answers afresh.
  verdicts.length = 0;
  t.equal((await register('12345678')).status, 200);
  t.same(verdicts, ['missing', 'ok']);
});

t.test('the registrar learns nothing false from a NAT: our Via carries rport and reads back received', async (t) => {
  const { a, b } = await pair(t);
  b.onRequest((r) => r.reply(200));
  const res = await a.request({
    method: 'OPTIONS',
    uri: 'sip:x@127.0.0.1',
    from: '<sip:a@b>',
    to: '<sip:x@b>',
    target: { transport: 'UDP', address: '127.0.0.1', port: b.port },
  });
  const via = parseVia(header(res, 'via')!)!;
  t.equal(via.params['rport'], String(a.port), 'rport filled with the port we sent from');
  t.same(learnedAddress(res), { address: '127.0.0.1', port: a.port }, 'what a client behind NAT would put in its Contact');
});

t.test('client digest: qop="auth,auth-int" answered with auth, opaque echoed, response checkable', async (t) => {
  const value = answerChallenge('Digest realm="172.21.66.8:15566", nonce="abc123", opaque="xyz", qop="auth,auth-int", algorithm=MD5', { username: '35010201081320000127', password: 'pw' }, 'REGISTER', 'sip:35000000002000000000@10.1.2.3')!;
  const p = parseAuth(value)!.params;
  t.match(p, { realm: '172.21.66.8:15566', nonce: 'abc123', opaque: 'xyz', qop: 'auth', nc: '00000001', algorithm: 'MD5' });
  const expected = digestResponse({ username: '35010201081320000127', realm: '172.21.66.8:15566', password: 'pw', method: 'REGISTER', uri: 'sip:35000000002000000000@10.1.2.3', nonce: 'abc123', qop: 'auth', nc: p['nc'], cnonce: p['cnonce'] });
  t.equal(p['response'], expected);
  t.equal(answerChallenge('Basic realm="x"', { username: 'u', password: 'p' }, 'REGISTER', 'sip:x'), null, 'not a digest: no answer');
  t.equal(answerChallenge('Digest realm="x", nonce="n", algorithm=SHA-256', { username: 'u', password: 'p' }, 'REGISTER', 'sip:x'), null, 'an algorithm we do not speak: no answer');
});

t.test('UAS: no ACK within 64*T1 → accept() rejects and the dialog is ended with a BYE', async (t) => {
  const b = await SipEndpoint.start({ host: '127.0.0.1', port: 0, timers });
  t.teardown(() => b.close());
  let accepted: Promise<Dialog> | null = null;
  b.onRequest((r) => {
    accepted = r.accept({});
  });
  const peer = await rawUdp(b.port);
  t.teardown(() => peer.close());
  peer.send(
    sipText([
      'INVITE sip:34020000001320000001@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKnoack`,
      'From: <sip:34020000002000000001@3402000000>;tag=caller',
      'To: <sip:34020000001320000001@3402000000>',
      'Call-ID: noack',
      'CSeq: 1 INVITE',
      `Contact: <sip:34020000002000000001@127.0.0.1:${peer.port}>`,
    ]),
  );
  const bye = await peer.until((m) => m.kind === 'request' && m.method === 'BYE', 5000);
  t.equal(header(bye, 'call-id'), 'noack', 'BYE for the unconfirmed call');
  await t.rejects(accepted!, /no ACK for the 200 OK to INVITE/);
  t.equal(b.dialogCount(), 0);
});

t.test('client answers a 407 with Proxy-Authorization', async (t) => {
  const { a, b } = await pair(t);
  const digest = new DigestServer({ realm: 'proxy', nonceTtlMs: 60_000, qop: false });
  const seen: string[] = [];
  b.onRequest((r) => {
    const v = digest.verify(r.request.method, header(r.request, 'proxy-authorization'), () => 'pw');
    seen.push(v.ok ? 'ok' : v.reason);
    if (v.ok) r.reply(200);
    else r.reply(407, { headers: [['Proxy-Authenticate', digest.challenge()]] });
  });
  const res = await a.request({
    method: 'MESSAGE',
    uri: 'sip:x@127.0.0.1',
    from: '<sip:u@b>',
    to: '<sip:x@b>',
    target: { transport: 'TCP', address: '127.0.0.1', port: b.port },
    auth: { username: 'u', password: 'pw' },
  });
  t.equal(res.status, 200);
  t.same(seen, ['missing', 'ok'], 'challenged once (without qop), then accepted');
});
