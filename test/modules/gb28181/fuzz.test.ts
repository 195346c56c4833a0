// A few thousand mutated SIP messages against the gateway's running GB registrar over UDP and
// TCP: REGISTERs with mangled digests, MESSAGE/NOTIFY bodies (Keepalive, paged Catalog in GB2312,
// DeviceInfo, Alarm, status events) mutated both in the SIP text and in the XML alone, from a
// registered device id so they reach the application handlers. The registrar never crashes,
// answers a real device between batches, and still registers, keeps alive and catalogues after.
import iconv from 'iconv-lite';
import t from 'tap';
import { seededRandom } from '../../../src/sim/random.js';
import { mutateSip, rawTcp, rawUdp, sipText } from '../../helpers/sipRaw.js';
import { gbDevice, gbService } from '../../helpers/gb.js';

const DEVICE = '44010000041180000001';

function body(xml: string, gb2312 = false): Buffer {
  return gb2312 ? iconv.encode(xml.replace('UTF-8', 'GB2312'), 'gb2312') : Buffer.from(xml);
}

const BODIES: Buffer[] = [
  body(`<?xml version="1.0" encoding="UTF-8"?><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>${DEVICE}</DeviceID><Status>OK</Status></Notify>`),
  body(
    `<?xml version="1.0" encoding="UTF-8"?><Response><CmdType>Catalog</CmdType><SN>7</SN><DeviceID>${DEVICE}</DeviceID><SumNum>2</SumNum><DeviceList Num="2"><Item><DeviceID>44010000041310000001</DeviceID><Name>收费站广场</Name><Status>ONLINE</Status><Block>x</Block></Item><Item><DeviceID>44010000041310000002</DeviceID><Parental>0</Parental><Info><PTZType>1</PTZType></Info></Item></DeviceList></Response>`,
    true,
  ),
  body(`<?xml version="1.0" encoding="UTF-8"?><Response><CmdType>DeviceInfo</CmdType><SN>9</SN><DeviceID>${DEVICE}</DeviceID><Result>OK</Result><Channel>16</Channel></Response>`),
  body(`<?xml version="1.0" encoding="UTF-8"?><Notify><CmdType>Alarm</CmdType><SN>3</SN><DeviceID>44010000041310000001</DeviceID><AlarmPriority>1</AlarmPriority><AlarmMethod>5</AlarmMethod><AlarmTime>2026-12-06T10:00:00</AlarmTime></Notify>`),
  body(`<?xml version="1.0" encoding="UTF-8"?><Notify><CmdType>Catalog</CmdType><SN>4</SN><DeviceID>${DEVICE}</DeviceID><SumNum>1</SumNum><DeviceList Num="1"><Item><DeviceID>44010000041310000001</DeviceID><Event>OFF</Event></Item></DeviceList></Notify>`),
];

function requests(port: number, transport: string, n: number, rnd: () => number): Buffer[] {
  const head = (method: string) => [
    `${method} sip:44010000002000000001@4401000000 SIP/2.0`,
    `Via: SIP/2.0/${transport} 127.0.0.1:${port};rport;branch=z9hG4bKgbfz${n}`,
    `From: <sip:${DEVICE}@4401000000>;tag=fz${n}`,
    'To: <sip:44010000002000000001@4401000000>',
    `Call-ID: gbfz${n}@127.0.0.1`,
    `CSeq: ${n} ${method}`,
    'Max-Forwards: 70',
  ];
  const xml = BODIES[n % BODIES.length]!;
  // The XML alone mutated (a valid SIP envelope): what reaches decodeManscdp and the handlers.
  const junkXml = mutateSip(xml, rnd);
  return [
    sipText([...head('REGISTER'), `Contact: <sip:${DEVICE}@127.0.0.1:${port}>`, 'Expires: 3600', `Authorization: Digest username="${DEVICE}", realm="4401000000", nonce="${n.toString(16)}", uri="sip:44010000002000000001@4401000000", response="${'0'.repeat(32)}"`]),
    sipText([...head('MESSAGE'), 'Content-Type: Application/MANSCDP+xml'], xml),
    sipText([...head(n % 2 ? 'MESSAGE' : 'NOTIFY'), 'Content-Type: Application/MANSCDP+xml'], junkXml),
  ];
}

t.test('UDP and TCP: 3,600 mutated messages; the registrar keeps serving a real device', async (t) => {
  const svc = await gbService(t, { rateLimit: null });
  const dev = await gbDevice(t, svc, { deviceId: DEVICE, channels: 4, catalogPageSize: 2 });
  t.match(await dev.register(3600), { ok: true });
  const rnd = seededRandom(14_28181);
  const udp = await rawUdp(svc.registrar.port);
  t.teardown(() => udp.close());
  let alive = 0;
  let sent = 0;
  for (let batch = 0; batch < 30; batch++) {
    for (let i = 0; i < 30; i++) {
      const n = batch * 30 + i;
      const [register, message, junk] = requests(udp.port, 'UDP', n, rnd);
      udp.send(mutateSip(register!, rnd));
      udp.send(mutateSip(message!, rnd));
      udp.send(junk!);
      sent += 3;
    }
    if ((await dev.sendKeepalive()) === 200) alive++;
  }
  for (let round = 0; round < 10; round++) {
    const tcp = await rawTcp(svc.registrar.port);
    for (let i = 0; i < 30; i++) {
      const n = 10_000 + round * 30 + i;
      const [register, message, junk] = requests(tcp.port, 'TCP', n, rnd);
      tcp.send(mutateSip(register!, rnd));
      tcp.send(mutateSip(message!, rnd));
      tcp.send(junk!);
      sent += 3;
    }
    await tcp.close();
    if ((await dev.sendKeepalive()) === 200) alive++;
  }
  t.equal(sent, 3600);
  t.equal(alive, 40, 'the real device was answered after every batch');
  t.match(await dev.register(3600), { ok: true }, 'registers again after the flood');
  const cat = await svc.registrar.catalog(DEVICE);
  t.match(cat, { complete: true, sumNum: 4 }, 'and its catalogue is read');
  t.ok(svc.registrar.isOnline(DEVICE));
});
