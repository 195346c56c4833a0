// PresetQuery answers (2016 A.2.6.11): built by the device simulator, read by the gateway.
import t from 'tap';
import { decodeManscdp, parsePresetList, presetQueryResponse, query } from '../../../src/protocols/gb28181/index.js';

const CHANNEL = '44010000041310000001';

const read = (body: Buffer) => {
  const m = decodeManscdp(body, 'Application/MANSCDP+xml');
  if (!m.ok) throw new Error(m.error);
  return m.message;
};

t.test('a preset list round-trips in GB2312, names in Chinese', async (t) => {
  const msg = read(presetQueryResponse({ sn: 7, deviceId: CHANNEL }, [{ id: 1, name: '收费站' }, { id: 12 }], 'GB2312'));
  t.equal(msg.cmdType, 'PresetQuery');
  t.same(parsePresetList(msg), [{ id: 1, name: '收费站' }, { id: 12 }]);
  t.same(parsePresetList(read(presetQueryResponse({ sn: 8, deviceId: CHANNEL }, []))), [], 'no presets: an empty list');
  t.match(query('PresetQuery', { sn: 9, deviceId: CHANNEL }).toString(), /<CmdType>PresetQuery<\/CmdType>/);
});

t.test("a device's odd items are skipped, not fatal", async (t) => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?><Response><CmdType>PresetQuery</CmdType><SN>1</SN><DeviceID>' +
    CHANNEL +
    '</DeviceID><PresetList Num="4"><Item><PresetID>3</PresetID><PresetName></PresetName></Item><Item><PresetID>0</PresetID></Item>' +
    '<Item><PresetID>x</PresetID></Item><Item><PresetName>no id</PresetName></Item></PresetList></Response>';
  t.same(parsePresetList(read(Buffer.from(xml))), [{ id: 3 }]);
});
