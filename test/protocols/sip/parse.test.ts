// Parsing and serialising, tolerant of what GB/T 28181 devices put on the wire.
import t from 'tap';
import iconv from 'iconv-lite';
import { header, headers, parseMessage, serializeMessage, type SipRequest } from '../../../src/protocols/sip/message.js';
import { formatVia, parseAuth, parseCSeq, parseNameAddr, parseUri, parseVia } from '../../../src/protocols/sip/headers.js';
import { StreamFramer } from '../../../src/protocols/sip/framing.js';

function req(buf: Buffer, datagram = true): SipRequest {
  const p = parseMessage(buf, datagram);
  if (!p.ok) throw new Error(p.error);
  if (p.message.kind !== 'request') throw new Error('not a request');
  return p.message;
}

// A Keepalive as some NVRs send it: lower-case and compact header names, a folded Via, no
// Content-Length, GB2312 body, bare LF line ends.
const gbBody = iconv.encode('<?xml version="1.0" encoding="GB2312"?>\n<Notify>\n<CmdType>Keepalive</CmdType>\n<SN>7</SN>\n<DeviceID>34020000001110000001</DeviceID>\n<Status>OK</Status>\n<Info>\n<DeviceName>高速K12+300</DeviceName>\n</Info>\n</Notify>\n', 'gb2312');
const sloppy = Buffer.concat([
  Buffer.from(
    [
      'MESSAGE sip:34020000002000000001@3402000000 SIP/2.0',
      'v: SIP/2.0/UDP 192.168.1.64:5060',
      '  ;rport;branch=z9hG4bK1404012727',
      'f: <sip:34020000001110000001@3402000000>;tag=1587063181',
      't: <sip:34020000002000000001@3402000000>',
      'i: 1904318934',
      'cseq: 20 MESSAGE',
      'c: Application/MANSCDP+xml',
      'max-forwards: 70',
      'USER-AGENT: IP Camera',
      '',
      '',
    ].join('\n'),
  ),
  gbBody,
]);

t.test('compact and lower-case names, folded header, LF line ends, no Content-Length on UDP', async (t) => {
  const m = req(sloppy);
  t.equal(m.method, 'MESSAGE');
  t.equal(header(m, 'Via'), 'SIP/2.0/UDP 192.168.1.64:5060 ;rport;branch=z9hG4bK1404012727');
  t.same(parseVia(header(m, 'via')!), { transport: 'UDP', host: '192.168.1.64', port: 5060, params: { rport: null, branch: 'z9hG4bK1404012727' } });
  t.equal(header(m, 'Call-ID'), '1904318934');
  t.equal(header(m, 'content-type'), 'Application/MANSCDP+xml');
  t.equal(header(m, 'user-agent'), 'IP Camera');
  t.same(parseCSeq(header(m, 'CSeq')!), { seq: 20, method: 'MESSAGE' });
  t.ok(m.body.equals(gbBody), 'the GB2312 body arrives byte for byte');
  t.match(iconv.decode(m.body, 'gb2312'), /高速K12\+300/);
});

t.test('the same message with Content-Length on a stream: body cut at the length', async (t) => {
  const withLength = Buffer.concat([Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h:1;branch=z9hG4bKx\r\nl: 5\r\n\r\n`), Buffer.from('12345EXTRA')]);
  t.equal(req(withLength, false).body.toString(), '12345');
  const noLength = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h:1;branch=z9hG4bKx\r\n\r\n');
  t.equal(req(noLength, false).body.length, 0, 'no Content-Length on a stream is an empty body');
});

t.test('comma-separated Via and Contact become one entry each; quoted commas are kept', async (t) => {
  const m = req(
    Buffer.from(
      'INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP a:1;branch=z9hG4bK1, SIP/2.0/UDP b:2;branch=z9hG4bK2\r\nContact: "Cam, left" <sip:c@d>, <sip:e@f>\r\nContent-Length: 0\r\n\r\n',
    ),
  );
  t.equal(headers(m, 'via').length, 2);
  t.same(headers(m, 'contact'), ['"Cam, left" <sip:c@d>', '<sip:e@f>']);
  t.equal(parseNameAddr(headers(m, 'contact')[0]!)?.display, 'Cam, left');
});

t.test('errors name what is wrong; a request start line leaves a partial for a 400', async (t) => {
  const bad = parseMessage(Buffer.from('HELLO WORLD\r\n\r\n'), true);
  t.match(bad, { ok: false, error: /bad start line/ });
  t.notOk(!bad.ok && bad.partial, 'no partial from a non-SIP start line');
  const short = parseMessage(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h:1;branch=z9hG4bKx\r\nContent-Length: 500\r\n\r\nabc'), true);
  t.match(short, { ok: false, error: 'Content-Length 500 is larger than the 3 bytes received' });
  t.equal(!short.ok && short.partial?.method, 'MESSAGE');
  const two = parseMessage(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab'), true);
  t.match(two, { ok: false, error: 'conflicting Content-Length headers' });
  const nan = parseMessage(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n'), true);
  t.match(nan, { ok: false, error: /Content-Length is not a number/ });
  const junk = parseMessage(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nthis is no header\r\n\r\n'), true);
  t.match(junk, { ok: false, error: /malformed header line/ });
});

t.test('serialising writes canonical names, CRLFs and the real Content-Length', async (t) => {
  const m = req(sloppy);
  const out = serializeMessage(m);
  const text = out.toString('latin1');
  t.match(text, /^MESSAGE sip:34020000002000000001@3402000000 SIP\/2\.0\r\nVia: /);
  t.match(text, /\r\nCall-ID: 1904318934\r\n/);
  t.match(text, /\r\nCSeq: 20 MESSAGE\r\n/);
  t.match(text, new RegExp(`\\r\\nContent-Length: ${gbBody.length}\\r\\n\\r\\n`));
  const again = req(out, false);
  t.ok(again.body.equals(gbBody), 'round trip keeps the body');
  t.same(again.headers, m.headers.concat({ name: 'content-length', value: String(gbBody.length) }));
});

t.test('URIs, Via, name-addr and digest headers', async (t) => {
  t.same(parseUri('sip:34020000001320000001@192.168.1.64:5060;transport=udp'), {
    scheme: 'sip',
    user: '34020000001320000001',
    password: undefined,
    host: '192.168.1.64',
    port: 5060,
    params: { transport: 'udp' },
    headers: undefined,
  });
  t.equal(parseUri('sip:host:99999'), null, 'port out of range');
  t.equal(parseVia('SIP/2.0/UDP'), null);
  const via = parseVia('SIP/2.0/tcp 10.0.0.1;branch=z9hG4bKabc;received=1.2.3.4')!;
  t.same(via, { transport: 'TCP', host: '10.0.0.1', port: undefined, params: { branch: 'z9hG4bKabc', received: '1.2.3.4' } });
  t.equal(formatVia(via), 'SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKabc;received=1.2.3.4');
  t.same(parseNameAddr('sip:a@b;tag=9'), { uri: 'sip:a@b', params: { tag: '9' } }, 'bare URI: params belong to the header');
  t.equal(parseNameAddr('<>'), null);
  const auth = parseAuth('Digest username="34020000001320000001", realm="3402000000", nonce="abc", uri="sip:x@y", response="r", algorithm=MD5, qop=auth, nc=00000001, cnonce="c"');
  t.same(auth?.params, { username: '34020000001320000001', realm: '3402000000', nonce: 'abc', uri: 'sip:x@y', response: 'r', algorithm: 'MD5', qop: 'auth', nc: '00000001', cnonce: 'c' });
});

t.test('stream framing: split and coalesced messages, CRLF keep-alives, oversized refused', async (t) => {
  const a = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\nabc');
  const f = new StreamFramer(1000);
  const frames = [...f.push(Buffer.from('\r\n\r\n')), ...f.push(Buffer.concat([a, a.subarray(0, 10)])), ...f.push(a.subarray(10))];
  t.same(frames.map((x) => x.kind), ['message', 'message']);
  t.ok(frames.every((x) => x.kind === 'message' && x.bytes.equals(a)));
  const big = new StreamFramer(100);
  t.match(big.push(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 99999\r\n\r\n')), [{ kind: 'oversized', reason: /message of \d+ bytes over 100/ }]);
  t.equal(big.broken, true);
  const endless = new StreamFramer(100);
  t.match(endless.push(Buffer.alloc(200, 0x41)), [{ kind: 'oversized', reason: 'header section over 100 bytes' }]);
});

// Shapes from field captures published in GB/T 28181 projects' test data (values changed): an
// operator-branded IPC registering over TCP with vendor headers, a realm that is "IP:port", an
// opaque, Call-ID first, a long branch, `;rport` after the branch and two spaces after a colon.
t.test('a field-style REGISTER with vendor headers and an IP:port realm', async (t) => {
  const m = req(
    Buffer.from(
      [
        'REGISTER sip:35000000002000000000@10.1.2.3:15566 SIP/2.0',
        'Call-ID: f3g4h5118045@192.168.1.215',
        'CSeq: 2 REGISTER',
        'Via: SIP/2.0/TCP 192.168.1.215:5060;branch=z9hG4bK1616405761965-c2d21be1-192.168.26.132-60903-register383939;rport',
        'From: <sip:35010201081320000127@192.168.1.215:5060>;tag=353287808',
        'To: <sip:35010201081320000127@192.168.1.215:5060>',
        'Contact: <sip:35010201081320000127@172.21.66.5:21432>',
        'Authorization: Digest username="35010201081320000127", realm="172.21.66.8:15566", nonce="d5930231", uri="sip:35000000002000000000@10.1.2.3:15566", response="dd9d9bc9", algorithm=MD5, cnonce="0a4f113b", opaque="e87abfef", qop=auth, nc=00000001',
        'Max-Forwards: 70',
        'Expires: 3600',
        'RegMode: DEVICE;Describe=IPC-A35;Register;DevVer=B1210.86',
        'Ability: UCSStore=0',
        'Content-Length:  0',
        '',
        '',
      ].join('\r\n'),
    ),
    false,
  );
  t.equal(m.method, 'REGISTER');
  t.same(parseVia(header(m, 'via')!)?.params, { branch: 'z9hG4bK1616405761965-c2d21be1-192.168.26.132-60903-register383939', rport: null });
  t.match(parseAuth(header(m, 'authorization')!)?.params, { realm: '172.21.66.8:15566', opaque: 'e87abfef', qop: 'auth', nc: '00000001', algorithm: 'MD5' });
  t.equal(header(m, 'regmode'), 'DEVICE;Describe=IPC-A35;Register;DevVer=B1210.86', 'vendor header kept as is');
  t.equal(m.body.length, 0);
});
