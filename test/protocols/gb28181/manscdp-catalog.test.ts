// MANSCDP bodies: charsets as devices really send them, catalog pages (SumNum, DeviceList Num)
// and their assembly — in memory and over a real SIP endpoint pair on 127.0.0.1.
import t from 'tap';
import iconv from 'iconv-lite';
import {
  CatalogCollector,
  MANSCDP_CONTENT_TYPE,
  alarmNotify,
  catalogPages,
  child,
  controlResult,
  decodeManscdp,
  deviceInfoResponse,
  deviceStatusResponse,
  emptyRecordInfo,
  field,
  gbTime,
  keepalive,
  parseAlarm,
  parseCatalog,
  parseDeviceControl,
  parseDeviceInfo,
  parseDeviceStatus,
  parseGbTime,
  ptzControl,
  query,
  type CatalogItem,
  type ManscdpMessage,
} from '../../../src/protocols/gb28181/index.js';
import { SipEndpoint, header } from '../../../src/protocols/sip/index.js';

function decoded(body: Buffer, contentType?: string): ManscdpMessage {
  const r = decodeManscdp(body, contentType);
  if (!r.ok) throw new Error(r.error);
  return r.message;
}

// Shaped like an NVR's catalog page: GB2312, CRLF, vendor fields the standard does not have
// (Block, CertNum, ErrCode, a StreamNum), Status spelled ONLINE, a rare character outside GB2312.
const nvrPage = iconv.encode(
  [
    '<?xml version="1.0" encoding="GB2312"?>',
    '<Response>',
    '<CmdType>Catalog</CmdType>',
    '<SN>0017</SN>',
    '<DeviceID>44010000041180000001</DeviceID>',
    '<SumNum>2</SumNum>',
    '<DeviceList Num="1">',
    '<Item>',
    '<DeviceID>44010000041320000001</DeviceID>',
    '<Name>萳溪收费站 K12+300</Name>',
    '<Manufacturer>Hikvision</Manufacturer>',
    '<Model>IP Camera</Model>',
    '<Owner>Owner</Owner>',
    '<CivilCode>440100</CivilCode>',
    '<Block>Block</Block>',
    '<Address>Address</Address>',
    '<Parental>0</Parental>',
    '<ParentID>44010000041180000001</ParentID>',
    '<SafetyWay>0</SafetyWay>',
    '<RegisterWay>1</RegisterWay>',
    '<CertNum>CertNum</CertNum>',
    '<Certifiable>0</Certifiable>',
    '<ErrCode>400</ErrCode>',
    '<Secrecy>0</Secrecy>',
    '<StreamNum>2</StreamNum>',
    '<Status>ONLINE</Status>',
    '<Longitude>113.2644</Longitude>',
    '<Latitude>23.1291</Latitude>',
    '<Info><PTZType>1</PTZType></Info>',
    '</Item>',
    '</DeviceList>',
    '</Response>',
  ].join('\r\n'),
  'gbk',
);

t.test('a GB2312-declared GBK catalog page with vendor fields decodes completely', async (t) => {
  const m = decoded(nvrPage, MANSCDP_CONTENT_TYPE);
  t.match(m, { root: 'Response', cmdType: 'Catalog', sn: 17, deviceId: '44010000041180000001', charset: { used: 'gb18030', declared: 'gb2312' } });
  const c = parseCatalog(m);
  t.ok(c.ok);
  if (!c.ok) return;
  t.equal(c.page.sumNum, 2);
  t.equal(c.page.items.length, 1);
  const item = c.page.items[0]!;
  t.equal(item.name, '萳溪收费站 K12+300', 'a GBK-only character survives');
  t.match(item, { deviceId: '44010000041320000001', status: 'ON', ptzType: 1, longitude: 113.2644, latitude: 23.1291, parental: 0, civilCode: '440100' });
  t.same(item.extra, { Block: 'Block', SafetyWay: '0', RegisterWay: '1', CertNum: 'CertNum', Certifiable: '0', ErrCode: '400', Secrecy: '0', StreamNum: '2' }, 'non-standard fields kept');
});

t.test('charset: UTF-8 bytes under a GB2312 declaration, the Content-Type charset, undeclared GBK', async (t) => {
  const xml = '<?xml version="1.0" encoding="GB2312"?><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>44010000041320000001</DeviceID><Status>OK</Status><Name>高速</Name></Notify>';
  const lying = decoded(Buffer.from(xml, 'utf8'));
  t.same(lying.charset, { used: 'utf-8', declared: 'gb2312' });
  t.equal(field(lying.body, 'Name'), '高速');
  const bare = xml.replace(' encoding="GB2312"', '');
  t.same(decoded(iconv.encode(bare, 'gbk'), 'Application/MANSCDP+xml; charset=GB2312').charset, { used: 'gb18030', declared: 'gb2312' });
  t.equal(field(decoded(iconv.encode(bare, 'gbk')).body, 'Name'), '高速', 'undeclared GBK still read right');
});

t.test('decoding errors name what is missing', async (t) => {
  t.match(decodeManscdp(Buffer.alloc(0)), { ok: false, error: 'empty MANSCDP body' });
  t.match(decodeManscdp(Buffer.from('hello')), { ok: false, error: /root must be one of/ });
  t.match(decodeManscdp(Buffer.from('<Query><SN>1</SN></Query>')), { ok: false, error: 'MANSCDP <Query> has no CmdType' });
  t.match(decodeManscdp(Buffer.from('<Query><CmdType>Catalog</CmdType><SN>x</SN></Query>')), { ok: false, error: /SN "x" is not a number/ });
  t.match(decodeManscdp(Buffer.from('<Query><CmdType>Catalog</CmdType><SN>1</SN></Query>')), { ok: false, error: 'MANSCDP Catalog has no DeviceID' });
});

function channels(n: number): CatalogItem[] {
  return Array.from({ length: n }, (_, i) => ({
    deviceId: `440100000413200${String(i + 1).padStart(5, '0')}`,
    name: `通道${i + 1}`,
    manufacturer: 'vcgw-sim',
    parental: 0,
    parentId: '44010000041180000001',
    status: i % 2 ? ('OFF' as const) : ('ON' as const),
    ptzType: 1,
    extra: {},
  }));
}

t.test('16 channels in pages of 5: SumNum 16 on each, DeviceList Num 5/5/5/1, GB2312 bytes', async (t) => {
  const pages = catalogPages({ sn: 9, deviceId: '44010000041180000001' }, channels(16), { pageSize: 5 });
  t.equal(pages.length, 4);
  const read = pages.map((p) => decoded(p));
  t.same(read.map((m) => field(m.body, 'SumNum')), ['16', '16', '16', '16']);
  t.same(read.map((m) => child(m.body, 'DeviceList')?.['@_Num']), ['5', '5', '5', '1']);
  t.ok(pages[0]!.includes(iconv.encode('通道1', 'gb2312')), 'names written in GB2312');
  const empty = catalogPages({ sn: 1, deviceId: '44010000041180000001' }, [], { pageSize: 5 });
  t.equal(empty.length, 1, 'an empty catalogue is one page');
  t.same(parseCatalog(decoded(empty[0]!)), { ok: true, page: { sumNum: 0, items: [] } });
});

t.test('collector: out-of-order and duplicated pages assemble; a stalled device yields complete:false', async (t) => {
  const items = channels(16);
  const pages = catalogPages({ sn: 9, deviceId: '44010000041180000001' }, items, { pageSize: 5 }).map((p) => parseCatalog(decoded(p)));
  const c = new CatalogCollector(200);
  const done = c.expect('44010000041180000001', 9);
  for (const i of [2, 0, 0, 3, 1]) {
    const p = pages[i]!;
    if (p.ok) t.ok(c.offer('44010000041180000001', 9, p.page), `page ${i} taken`);
  }
  const got = await done;
  t.match(got, { complete: true, sumNum: 16, pages: 5, duplicates: 5 });
  t.same(got.items.map((x) => x.deviceId).sort(), items.map((x) => x.deviceId));
  t.notOk(c.offer('44010000041180000001', 9, pages[0]!.ok ? pages[0]!.page : { sumNum: 0, items: [] }), 'a late page is refused');

  const stalled = c.expect('44010000041180000001', 10);
  if (pages[0]!.ok) c.offer('44010000041180000001', 10, pages[0]!.page);
  t.match(await stalled, { complete: false, sumNum: 16, pages: 1 });
  t.equal((await stalled).items.length, 5, 'what arrived is kept');
});

t.test('catalog NOTIFY events (ON/OFF/ADD/DEL/UPDATE) read from a Notify', async (t) => {
  const items = (['ON', 'OFF', 'ADD', 'DEL', 'UPDATE'] as const).map((event, i) => ({ ...channels(5)[i]!, event }));
  const [body] = catalogPages({ sn: 3, deviceId: '44010000041180000001' }, items, { pageSize: 10, root: 'Notify' });
  const m = decoded(body!);
  t.equal(m.root, 'Notify');
  const c = parseCatalog(m);
  t.same(c.ok && c.page.items.map((i) => i.event), ['ON', 'OFF', 'ADD', 'DEL', 'UPDATE']);
});

t.test('DeviceInfo, DeviceStatus with DeviceTime, empty RecordInfo, Alarm, Keepalive, DeviceControl', async (t) => {
  const head = { sn: 5, deviceId: '44010000041180000001' };
  t.same(parseDeviceInfo(decoded(deviceInfoResponse(head, { deviceName: '收费站NVR', manufacturer: 'vcgw', model: 'sim', firmware: '1.0', channel: 16, result: 'OK' }))), {
    deviceName: '收费站NVR',
    manufacturer: 'vcgw',
    model: 'sim',
    firmware: '1.0',
    channel: 16,
    result: 'OK',
  });
  const when = new Date('2026-12-06T01:30:00Z');
  t.equal(gbTime(when), '2026-12-06T09:30:00', 'Beijing time without zone');
  t.same(parseGbTime('2026-12-06T09:30:00.250'), new Date('2026-12-06T01:30:00.250Z'));
  t.equal(parseGbTime('yesterday'), null);
  t.same(parseDeviceStatus(decoded(deviceStatusResponse(head, { result: 'OK', online: true, status: 'OK', encode: 'ON', record: 'OFF', deviceTime: gbTime(when) }, 'UTF-8'))), {
    result: 'OK',
    online: true,
    status: 'OK',
    encode: 'ON',
    record: 'OFF',
    deviceTime: '2026-12-06T09:30:00',
  });
  const rec = decoded(emptyRecordInfo(head, 'gateway'));
  t.equal(field(rec.body, 'SumNum'), '0');
  t.equal(child(rec.body, 'RecordList')?.['@_Num'], '0');
  t.same(parseAlarm(decoded(alarmNotify(head, { priority: 1, method: 5, time: '2026-12-06T09:30:00', description: '视频丢失', alarmType: 2 }))), {
    priority: 1,
    method: 5,
    time: '2026-12-06T09:30:00',
    description: '视频丢失',
    longitude: undefined,
    latitude: undefined,
    alarmType: 2,
  });
  t.match(decoded(keepalive(head)), { root: 'Notify', cmdType: 'Keepalive', sn: 5 });
  t.match(decoded(query('Catalog', head)), { root: 'Query', cmdType: 'Catalog' });
  const ctl = decoded(ptzControl({ sn: 6, deviceId: '44010000041320000001' }, { kind: 'preset', action: 'call', preset: 7 }, { priority: 3 }));
  t.equal(field(ctl.body, 'PTZCmd'), 'A50F01820007003E');
  t.same(parseDeviceControl(ctl), { kind: 'ptz', command: { kind: 'preset', action: 'call', preset: 7 }, address: 1, priority: 3 });
  t.match(parseDeviceControl(decoded(Buffer.from('<Control><CmdType>DeviceControl</CmdType><SN>1</SN><DeviceID>1</DeviceID><PTZCmd>A50F0100000000B4</PTZCmd></Control>'))), { kind: 'error', error: /checksum/ });
  t.match(parseDeviceControl(decoded(Buffer.from('<Control><CmdType>DeviceControl</CmdType><SN>1</SN><DeviceID>1</DeviceID><TeleBoot>Boot</TeleBoot></Control>'))), { kind: 'other', elements: ['TeleBoot'] });
  t.match(decoded(controlResult(head, true)).body, { Result: 'OK' });
});

t.test('over SIP on 127.0.0.1: an NVR answers a Catalog query with 4 MESSAGE pages the platform assembles', async (t) => {
  const platform = await SipEndpoint.start({ host: '127.0.0.1', port: 0 });
  const nvr = await SipEndpoint.start({ host: '127.0.0.1', port: 0 });
  t.teardown(() => Promise.all([platform.close(), nvr.close()]));
  const collector = new CatalogCollector(2000);
  platform.onRequest((r) => {
    r.reply(200);
    const m = decodeManscdp(r.request.body, header(r.request, 'content-type'));
    if (m.ok && m.message.cmdType === 'Catalog') {
      const page = parseCatalog(m.message);
      if (page.ok) collector.offer(m.message.deviceId, m.message.sn, page.page);
    }
  });
  nvr.onRequest(async (r) => {
    r.reply(200);
    const q = decodeManscdp(r.request.body);
    if (!q.ok) return;
    for (const body of catalogPages({ sn: q.message.sn, deviceId: '44010000041180000001' }, channels(16), { pageSize: 5 })) {
      await nvr.request({
        method: 'MESSAGE',
        uri: 'sip:44010000002000000001@4401000000',
        from: '<sip:44010000041180000001@4401000000>',
        to: '<sip:44010000002000000001@4401000000>',
        target: r.remote,
        body,
        contentType: MANSCDP_CONTENT_TYPE,
      });
    }
  });
  const done = collector.expect('44010000041180000001', 42);
  const res = await platform.request({
    method: 'MESSAGE',
    uri: 'sip:44010000041180000001@4401000000',
    from: '<sip:44010000002000000001@4401000000>',
    to: '<sip:44010000041180000001@4401000000>',
    target: { transport: 'UDP', address: '127.0.0.1', port: nvr.port },
    body: query('Catalog', { sn: 42, deviceId: '44010000041180000001' }),
    contentType: MANSCDP_CONTENT_TYPE,
  });
  t.equal(res.status, 200);
  const got = await done;
  t.match(got, { complete: true, sumNum: 16, pages: 4, duplicates: 0 });
  t.equal(got.items.filter((i) => i.status === 'ON').length, 8);
});
