// GB/T 28181 SDP: what the platform offers for each stream transport, what devices answer
// (read back with their y= and f= lines), and the errors named.
import t from 'tap';
import { GB_RTPMAPS, buildSdp, formatFLine, makeSsrc, parseFLine, parseSdp, ssrcNumber, type GbSdp } from '../../../src/protocols/gb28181/index.js';

const offer = (transport: GbSdp['transport']): GbSdp => ({
  username: '44010000002000000001',
  sessionId: '0',
  sessionName: 'Play',
  address: '127.0.0.1',
  port: 30000,
  transport,
  direction: 'recvonly',
  rtpmaps: [...GB_RTPMAPS],
  ssrc: makeSsrc(false, '4401000000', 12),
  time: [0, 0],
});

t.test('UDP offer: RTP/AVP 96 98 97, recvonly, PS/90000, y=', async (t) => {
  const text = buildSdp(offer('udp'));
  t.equal(
    text,
    [
      'v=0',
      'o=44010000002000000001 0 0 IN IP4 127.0.0.1',
      's=Play',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=video 30000 RTP/AVP 96 98 97',
      'a=recvonly',
      'a=rtpmap:96 PS/90000',
      'a=rtpmap:98 H264/90000',
      'a=rtpmap:97 MPEG4/90000',
      'y=0100000012',
      '',
    ].join('\r\n'),
  );
  t.same(parseSdp(text), { ok: true, sdp: { ...offer('udp'), f: undefined, uri: undefined, downloadSpeed: undefined } });
});

t.test('TCP offers carry setup and connection:new (RFC 4145) and read back as the same mode', async (t) => {
  for (const mode of ['tcp-active', 'tcp-passive'] as const) {
    const text = buildSdp(offer(mode));
    t.match(text, /m=video 30000 TCP\/RTP\/AVP 96 98 97\r\n/);
    t.match(text, new RegExp(`a=setup:${mode === 'tcp-active' ? 'active' : 'passive'}\\r\\na=connection:new\\r\\n`));
    const p = parseSdp(text);
    t.equal(p.ok && p.sdp.transport, mode);
  }
});

t.test("a device's answer: sendonly, extra audio m= line, f= line, c= in the media section", async (t) => {
  const answer = [
    'v=0',
    'o=44010000041320000001 0 0 IN IP4 192.168.1.64',
    's=Play',
    'c=IN IP4 192.168.1.64',
    't=0 0',
    'm=video 15060 TCP/RTP/AVP 96',
    'c=IN IP4 10.0.0.9',
    'a=sendonly',
    'a=rtpmap:96 PS/90000',
    'a=rtpmap:99 H265/90000',
    'a=setup:active',
    'a=connection:new',
    'm=audio 15062 RTP/AVP 8',
    'c=IN IP4 10.0.0.99',
    'a=rtpmap:8 PCMA/8000',
    'y=0100000001',
    'f=v/2/5/25/1/2048a/1/8/1',
  ].join('\n');
  const p = parseSdp(answer);
  t.ok(p.ok);
  if (!p.ok) return;
  t.match(p.sdp, { username: '44010000041320000001', address: '10.0.0.9', port: 15060, transport: 'tcp-active', direction: 'sendonly', ssrc: '0100000001', f: 'v/2/5/25/1/2048a/1/8/1' });
  t.same(p.sdp.rtpmaps, [{ pt: 96, encoding: 'PS', clock: 90000 }], 'rtpmaps not on the m= line are dropped');
  t.same(parseFLine(p.sdp.f!), { video: { codec: 2, resolution: 5, frameRate: 25, rateType: 1, bitrateKbps: 2048 }, audio: { codec: 1, bitrateKbps: 8, sampleRate: 1 } });
  t.equal(formatFLine(parseFLine(p.sdp.f!)), 'v/2/5/25/1/2048a/1/8/1');
  t.equal(formatFLine({}), 'v/////a///', 'an empty f= as devices send it');
  t.equal(ssrcNumber('0100000001'), 100000001);
});

t.test('SSRC and errors', async (t) => {
  t.equal(makeSsrc(true, '44010000002000000001', 9999), '1100009999');
  t.throws(() => makeSsrc(false, '4401', 1), /must be 10 \(or 20\) digits/);
  t.match(parseSdp('v=0\r\ns=Play\r\n'), { ok: false, error: 'SDP has no m=video line' });
  t.match(parseSdp('v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 1 RTP/SAVP 96\r\n'), { ok: false, error: /neither RTP\/AVP nor TCP\/RTP\/AVP/ });
  t.match(parseSdp('v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 1 RTP/AVP 96\r\ny=abc\r\n'), { ok: false, error: /y= "abc"/ });
  t.match(parseSdp('v=0\r\nbogus\r\n'), { ok: false, error: /not type=value/ });
  t.match(parseSdp('v=0\r\nm=video 99999 RTP/AVP 96\r\nc=IN IP4 1.2.3.4\r\n'), { ok: false, error: /port 99999 is out of range/ });
});
