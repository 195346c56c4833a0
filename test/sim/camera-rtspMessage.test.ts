// RTSP message framing in isolation: the wire tests send whole requests in one write, these cut
// them at every byte and pipeline them, as TCP may deliver them.
import t from 'tap';
import { interleavedFrame, readIncoming, requestSessionId, serialiseResponse, type Incoming } from '../../src/sim/camera/rtspMessage.js';

const DESCRIBE = 'DESCRIBE rtsp://127.0.0.1/sub RTSP/1.0\r\nCSeq: 2\r\nSession: ABC;timeout=60\r\nX-Folded: a\r\n  b\r\n\r\n';
const SET_PARAMETER = 'SET_PARAMETER /sub RTSP/1.0\r\nCSeq: 3\r\nContent-Length: 5\r\n\r\nhello';

/** Frames `input` the way the server's connection does; stops at the first incomplete or invalid message. */
function frameAll(input: Buffer): Incoming[] {
  const out: Incoming[] = [];
  let buf = input;
  while (buf.length > 0) {
    const msg = readIncoming(buf);
    out.push(msg);
    if (msg.type === 'incomplete' || msg.type === 'invalid') break;
    buf = buf.subarray(msg.size);
  }
  return out;
}

t.test('a request cut anywhere is incomplete until its last byte, then framed with its body', async (t) => {
  const whole = Buffer.from(SET_PARAMETER);
  for (let cut = 1; cut < whole.length; cut++) {
    if (readIncoming(whole.subarray(0, cut)).type !== 'incomplete') t.fail(`complete after only ${cut} of ${whole.length} bytes`);
  }
  t.match(readIncoming(whole), { type: 'request', size: whole.length, request: { method: 'SET_PARAMETER', uri: '/sub', cseq: '3' } });
});

t.test('pipelined requests and interleaved RTCP are framed one by one', async (t) => {
  const rtcp = interleavedFrame(1, Buffer.from([0x81, 201, 0, 1, 0, 0, 0, 0]));
  t.same([...rtcp.subarray(0, 4)], [0x24, 1, 0, 8], '$, channel, 16-bit length');
  const msgs = frameAll(Buffer.concat([Buffer.from(DESCRIBE), rtcp, Buffer.from(SET_PARAMETER), Buffer.from('OPTIONS * RTSP/1.0\r\n')]));
  t.same(msgs.map((m) => m.type), ['request', 'interleaved', 'request', 'incomplete']);
  t.match(msgs[1], { size: rtcp.length });
  const first = msgs[0];
  const describe = first?.type === 'request' ? first.request : undefined;
  t.equal(describe?.headers.get('x-folded'), 'a b', 'continuation lines are folded, names lower-cased');
  t.equal(describe && requestSessionId(describe), 'ABC', 'the Session id without its timeout');
  t.same(readIncoming(rtcp.subarray(0, 3)), { type: 'incomplete' }, 'a partial interleaved header waits');
});

t.test('bare-LF requests are accepted; unframeable input is refused with the CSeq when it has one', async (t) => {
  const bareLf = Buffer.from('OPTIONS * RTSP/1.0\nCSeq: 9\n\n');
  t.match(readIncoming(bareLf), { type: 'request', size: bareLf.length, request: { method: 'OPTIONS', cseq: '9' } });
  t.same(readIncoming(Buffer.from('OPTIONS * RTSP/2.0\r\nCSeq: 4\r\n\r\n')), { type: 'invalid', status: 505, cseq: '4' });
  t.same(readIncoming(Buffer.from('OPTIONS * RTSP/1.0\r\nCSeq: 4\r\nContent-Length: 70000\r\n\r\n')), { type: 'invalid', status: 400, cseq: '4' });
  t.same(readIncoming(Buffer.from('OPTIONS * RTSP/1.0\r\n\r\n')), { type: 'invalid', status: 400, cseq: undefined }, 'no CSeq');
  t.same(readIncoming(Buffer.from(`OPTIONS * RTSP/1.0\r\nX: ${'a'.repeat(8000)}`)), { type: 'incomplete' }, 'a long header may still end');
  t.same(readIncoming(Buffer.from(`OPTIONS * RTSP/1.0\r\nX: ${'a'.repeat(9000)}`)), { type: 'invalid', status: 400 }, 'past 8 KiB it may not');
});

t.test('responses carry CSeq, Server, Date, the headers given and a Content-Length for a body', async (t) => {
  const now = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
  const withBody = serialiseResponse('5', { status: 200, headers: [['Content-Type', 'application/sdp']], body: 'v=0\r\n\u00e9' }, now).toString('utf8');
  t.equal(
    withBody,
    'RTSP/1.0 200 OK\r\nCSeq: 5\r\nServer: vcgw-sim-camera/1.0\r\nDate: Tue, 02 Jan 2024 03:04:05 GMT\r\nContent-Type: application/sdp\r\nContent-Length: 7\r\n\r\nv=0\r\n\u00e9',
    'Content-Length counts bytes, not characters',
  );
  const bare = serialiseResponse(undefined, { status: 999 }, now).toString('utf8');
  t.equal(bare, 'RTSP/1.0 999 Error\r\nServer: vcgw-sim-camera/1.0\r\nDate: Tue, 02 Jan 2024 03:04:05 GMT\r\n\r\n', 'no CSeq when the request had none');
});
