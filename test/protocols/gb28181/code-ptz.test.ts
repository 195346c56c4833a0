// GB codes (Annex D) and the 8-byte PTZCmd (Annex A.3), against byte strings worked from the
// standard's rules (stop and left are the ones every platform log shows).
import t from 'tap';
import { checkGbCode, composeGbCode, decodePtz, editionOf, encodePtz, kindOfType, parseGbCode, type PtzCommand } from '../../../src/protocols/gb28181/index.js';

t.test('a 20-digit code splits into centre/industry/type/network/serial and the cascade view', async (t) => {
  const c = parseGbCode('44010000041320000123')!;
  t.match(c, { province: '44', city: '01', district: '00', unit: '00', industry: '04', type: 132, typeName: 'IP camera', network: 0, serial: '000123', area10: '4401000004', serial7: '0000123' });
  t.equal(composeGbCode(c.area10, c.type, 123), c.code, 'segment view composes back to the same code');
  t.equal(parseGbCode('4401000004132000012'), null);
  t.same(['111', '118', '131', '132', '200', '215', '216', '300'].map((ty) => kindOfType(Number(ty))), ['device', 'device', 'peripheral', 'peripheral', 'platform', 'group', 'group', 'user']);
});

t.test('code problems name the rule and the code', async (t) => {
  t.same(checkGbCode('44010000041320000123'), []);
  t.match(checkGbCode('4401'), [{ rule: 'length', message: /has 4 characters/ }]);
  t.match(checkGbCode('4401000004132000012X'), [{ rule: 'digits' }]);
  t.match(checkGbCode('99010000041320000123'), [{ rule: 'province', message: /99/ }]);
  t.match(checkGbCode('44010000042160000001', { types: [131, 132] }), [{ rule: 'type', message: /type 216 \(virtual organization\) where 131\/132 is expected/ }]);
  t.match(checkGbCode('44010000041329000001'), [{ rule: 'network', message: /reserved/ }]);
  t.throws(() => composeGbCode('440100', 132, 1), /area "440100" must be 10 digits/);
  t.throws(() => composeGbCode('4401000004', 132, 12345678), /serial "12345678" must be at most 7 digits/);
});

const KNOWN: [string, PtzCommand][] = [
  ['A50F0100000000B5', { kind: 'stop' }],
  ['A50F01021F0000D6', { kind: 'ptz', pan: -1, tilt: 0, zoom: 0, panSpeed: 0x1f, tiltSpeed: 0, zoomSpeed: 0 }],
  ['A50F0108001F00DC', { kind: 'ptz', pan: 0, tilt: 1, zoom: 0, panSpeed: 0, tiltSpeed: 0x1f, zoomSpeed: 0 }],
  ['A50F0110000010D5', { kind: 'ptz', pan: 0, tilt: 0, zoom: 1, panSpeed: 0, tiltSpeed: 0, zoomSpeed: 1 }],
  ['A50F011440402069', { kind: 'ptz', pan: 0, tilt: -1, zoom: 1, panSpeed: 0x40, tiltSpeed: 0x40, zoomSpeed: 2 }],
  ['A50F014180000076', { kind: 'fi', focus: 1, iris: 0, focusSpeed: 0x80, irisSpeed: 0 }],
  ['A50F014400800079', { kind: 'fi', focus: 0, iris: 1, focusSpeed: 0, irisSpeed: 0x80 }],
  ['A50F018100030039', { kind: 'preset', action: 'set', preset: 3 }],
  ['A50F01820003003A', { kind: 'preset', action: 'call', preset: 3 }],
  ['A50F01830003003B', { kind: 'preset', action: 'delete', preset: 3 }],
  ['A50F018C02000043', { kind: 'aux', on: true, switchNo: 2 }],
  ['A50F018D02000044', { kind: 'aux', on: false, switchNo: 2 }],
];

t.test('PTZCmd encodes to the known byte strings and decodes back', async (t) => {
  for (const [hex, cmd] of KNOWN) {
    t.equal(encodePtz(cmd), hex, `encode ${JSON.stringify(cmd)}`);
    t.same(decodePtz(hex.toLowerCase()), { ok: true, command: cmd, address: 1 }, `decode ${hex}`);
  }
});

t.test('PTZCmd round-trips every direction, speed and a 12-bit address', async (t) => {
  let n = 0;
  for (const pan of [-1, 0, 1] as const)
    for (const tilt of [-1, 0, 1] as const)
      for (const zoom of [-1, 0, 1] as const) {
        if (!pan && !tilt && !zoom) continue;
        const cmd: PtzCommand = { kind: 'ptz', pan, tilt, zoom, panSpeed: 255, tiltSpeed: 7, zoomSpeed: 15 };
        const d = decodePtz(encodePtz(cmd, 0xabc));
        if (d.ok && d.address === 0xabc && JSON.stringify(d.command) === JSON.stringify(cmd)) n++;
      }
  t.equal(n, 26, 'all 26 moves');
});

t.test('PTZCmd errors say which byte', async (t) => {
  t.match(decodePtz('A50F0100000000B6'), { ok: false, error: 'PTZCmd checksum is b6, expected b5' });
  t.match(decodePtz('A40F0100000000B4'), { ok: false, error: /byte 1 is a4, not A5/ });
  t.match(decodePtz('A50E0100000000B4'), { ok: false, error: /check nibble/ });
  t.match(decodePtz('A50F0103000000B8'), { ok: false, error: /opposite directions/ });
  t.match(decodePtz('A50F01'), { ok: false, error: /not 16 hex digits/ });
  t.match(decodePtz('A50F018800000000'.slice(0, 14) + '3D'), { ok: false, error: /not supported/ });
  t.throws(() => encodePtz({ kind: 'ptz', pan: 1, tilt: 0, zoom: 0, panSpeed: 256, tiltSpeed: 0, zoomSpeed: 0 }), /panSpeed must be an integer 0–255, got 256/);
  t.throws(() => encodePtz({ kind: 'preset', action: 'call', preset: 0 }), /preset must be 1–255/);
});

t.test('X-GB-Ver names the edition; none means 2016', async (t) => {
  t.same(['2.0', ' 3.0 ', undefined, '9', 'x'].map(editionOf), ['2016', '2022', '2016', null, null]);
});
