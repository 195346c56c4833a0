import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { z } from 'zod';
import { renderExampleConfig } from '../../src/config/example.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { cameraConfigSchema } from '../../src/config/schema/cameras.js';
import { configSchema } from '../../src/config/schema/index.js';
import { cameraOverlay } from '../../src/modules/overlay/camera.js';

/** The object inside a section's `.default(...)` wrapper (an array of tables: its entries' object). */
function unwrapObject(s: z.ZodType): Record<string, unknown> {
  let inner: z.ZodType = s;
  while (!(inner instanceof z.ZodObject)) inner = inner instanceof z.ZodArray ? (inner.element as z.ZodType) : (inner as unknown as { def: { innerType: z.ZodType } }).def.innerType;
  return inner.shape;
}

const root = path.resolve(import.meta.dirname, '../..');
const KEY = 'a'.repeat(64);
const MINIMAL = `
[gateway]
device_code = "vg-1"
data_dir = "data"
[province]
base_url = "https://127.0.0.1:9443"
user = "u"
token = "t0"
sm2_private_key = "${KEY}"
`;

function write(t: Test, text: string): string {
  const dir = t.testdir();
  const file = path.join(dir, 'gateway.toml');
  fs.writeFileSync(file, text);
  return file;
}

function problems(file: string): string[] {
  try {
    loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('config was accepted');
}

t.test('the example file is generated from the schema and is itself valid', async (t) => {
  const onDisk = fs.readFileSync(path.join(root, 'gateway.example.toml'), 'utf8');
  t.equal(onDisk, renderExampleConfig(), 'gateway.example.toml is stale: run npm run gen:example');
  const config = loadConfig(path.join(root, 'gateway.example.toml'));
  t.equal(config.gateway.device_code, 'vg-108121');
  t.equal(config.cameras.length, 1);
  t.equal(config.api.listen, '0.0.0.0:8443', 'defaults applied');
});

t.test('every key of the schema is shown with its name in the example, under its description', async (t) => {
  const lines = renderExampleConfig().split('\n');
  const sections = { ...configSchema.shape, cameras: undefined };
  const keys = [
    ...Object.entries(sections).flatMap(([section, s]) => (s ? Object.keys(unwrapObject(s)).map((k) => `${section}.${k}`) : [])),
    ...Object.keys(cameraConfigSchema.shape).map((k) => `cameras.${k}`),
  ];
  t.ok(keys.length > 100, `${keys.length} keys of every section and of [[cameras]] are checked`);
  const shown = (key: string) => lines.some((l) => new RegExp(`^(# )?${key.split('.')[1]!.replace(/[+]/g, '\\$&')} = \\S`).test(l));
  t.same(keys.filter((k) => !shown(k)), [], 'no key is missing its sample line');
  t.same(lines.flatMap((l, i) => (l.trim() === '#' ? [i + 1] : [])), [], 'no empty comment lines where a key should be');
});

t.test('the example camera passes the overlay check (seed 003 Appendix B)', async (t) => {
  const config = loadConfig(path.join(root, 'gateway.example.toml'));
  const cam = config.cameras[0]!;
  const { id, ...fields } = cam;
  const o = cameraOverlay({ record: fields as never, access: fields }, config.overlay);
  t.match(o, { ok: true, lines: ['粤-G4-京珠北-路面', 'K1844+158-上行-南行-往广州市'] }, id);
});

t.test('a minimal config gets defaults and absolute paths', async (t) => {
  const file = write(t, MINIMAL);
  const config = loadConfig(file);
  t.equal(config.gateway.data_dir, path.join(path.dirname(file), 'data'));
  t.equal(config.province.sign_format, 'raw');
  t.equal(config.media.max_outputs, 30);
  t.same(config.monitor.allow, ['127.0.0.1/32']);
});

t.test('errors name the key path', async (t) => {
  t.match(problems(write(t, MINIMAL.replace('https://127.0.0.1:9443', 'ftp://x'))), ['province.base_url: must be an http(s) URL']);
  t.match(problems(write(t, `${MINIMAL}\n[api]\nlisten = "nowhere"\n`)), [/^api\.listen: must be HOST:PORT/]);
  t.match(problems(write(t, `${MINIMAL}\n[api]\nlisten = "0.0.0.0:1"\ncolour = "red"\n`)), ['api.colour: unknown key']);
  t.match(problems(write(t, MINIMAL.replace('[gateway]', '[gateway]\nbogus = 1'))), ['gateway.bogus: unknown key']);
  t.match(problems(write(t, MINIMAL.replace('user = "u"\n', ''))), ['province.user: required']);
  t.match(problems(write(t, MINIMAL.replace(`sm2_private_key = "${KEY}"`, ''))), [/^province\.sm2_private_key: one of/]);
  t.match(problems(write(t, MINIMAL.replace(KEY, 'xyz'))), ['province.sm2_private_key: must be 64 hex digits']);
  t.match(problems(write(t, `${MINIMAL}\n[media]\nmax_outputs = "many"\n`)), [/^media\.max_outputs: /]);
  t.match(problems(write(t, `${MINIMAL}\n[monitor]\nallow = ["not-an-ip"]\n`)), [/^monitor\.allow\.0: /]);
  t.match(problems(write(t, `${MINIMAL}\n[ptz]\nkeep_log_days = 30\n`)), [/^ptz\.keep_log_days: /], 'the PTZ log is kept at least a year');
  t.match(problems(write(t, `${MINIMAL}\n[media]\nrtsp_transport = "sctp"\n`)), [/^media\.rtsp_transport: /]);
  t.match(problems(write(t, `${MINIMAL}\n[media.hw_slots]\nh264_nvenc = -1\n`)), [/^media\.hw_slots\.h264_nvenc: /]);
  t.match(problems(write(t, `${MINIMAL}\n[unknown_section]\n`)), ['unknown_section: unknown key']);
  t.match(problems(write(t, 'this is = = not toml')), [/^line 1, column/]);
  t.match(problems(path.join(t.testdir(), 'absent.toml')), [/^cannot read/]);
});

t.test('camera entries are validated with the field named', async (t) => {
  const cam = (extra: string) => `${MINIMAL}
[[cameras]]
id = "cam-1"
department = "d"
cameraName = "n"
longAndLati = "113.1/23.1"
road = "G4"
roadName = "r"
roadSec = "s"
classify = 0
poiName = "p"
cameraOrientation = 1
cameraType = 1
hasControl = 1
areaCode = 440201
pushType = 1
${extra}
`;
  t.equal(loadConfig(write(t, cam('pileNum = "K1+100"'))).cameras[0]!.pileNum, 'K1+100');
  t.match(problems(write(t, cam('pileNum = "1+100"'))), [/^cameras\.0\.pileNum: must be K<km>\+<m>/]);
  t.match(problems(write(t, cam('pileNum = "无"'))), [/^cameras\.0\.pileNum: "无" is allowed only/]);
  t.match(problems(write(t, cam('pileNum = "K1+1"\nlongAndLati = "200/23"').replace('longAndLati = "113.1/23.1"\n', ''))), [
    /^cameras\.0\.longAndLati: must be "lng\/lat"/,
  ]);
  t.match(problems(write(t, cam('pileNum = "K1+1"\ncolor = 1'))), ['cameras.0.color: unknown key']);
  const dup = cam('pileNum = "K1+1"') + cam('pileNum = "K1+2"').slice(MINIMAL.length);
  t.match(problems(write(t, dup)), ['cameras.1.id: duplicates cameras.0.id']);
});
