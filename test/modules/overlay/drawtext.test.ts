// Burned-in overlay: the drawtext chain as text, then real FFmpeg drawing it on a CIF encode.
import { execFileSync, spawn } from 'node:child_process';
import t from 'tap';
import { configSchema } from '../../../src/config/schema/index.js';
import { DEFAULT_OVERLAY_FONT, type OverlayConfig } from '../../../src/config/schema/overlay.js';
import { formatOverlayTime } from '../../../src/modules/overlay/overlay.js';
import { minFontSize, OVERLAY_FFMPEG_ENV, overlayDrawtext, overlayFilterFor, TIME_EXPANSION } from '../../../src/modules/overlay/drawtext.js';
import { outputArgs } from '../../../src/protocols/ffmpeg/args.js';
import type { StoredCamera } from '../../../src/store/cameras.js';

const FONT = DEFAULT_OVERLAY_FONT;
const W = 352;
const H = 288;

const camera = (access: Record<string, unknown> = { travelDirection: '南行', destination: '广州市', reserved: '预留' }): Pick<StoredCamera, 'record' | 'access'> =>
  ({
    record: { road: 'G4', roadSec: '京珠北段', classify: 0, poiName: '京港澳高速道路', cameraOrientation: 1, pileNum: 'K1844+158', areaCode: 440201 },
    access,
  }) as unknown as Pick<StoredCamera, 'record' | 'access'>;

const overlayCfg = (over: Partial<OverlayConfig> = {}): OverlayConfig => ({ osd: true, burn_in: true, font: FONT, ...over });

t.test('the chain: one drawtext per line, the clock top right, the reserved line bottom left', async (t) => {
  const f = overlayDrawtext(['粤-G4-京珠北-路面', 'K1844+158-上行-南行-往广州市'], { fontFile: '/f.ttc', width: 704, height: 576, reserved: '预留' });
  const style = 'fontfile=/f.ttc:fontsize=22:fontcolor=white:borderw=2:bordercolor=black';
  t.same(f.split(/(?<!\\),/), [
    `drawtext=${style}:text=粤-G4-京珠北-路面:x=11:y=11`,
    `drawtext=${style}:text=K1844+158-上行-南行-往广州市:x=11:y=40`,
    `drawtext=${style}:text=\\'%{localtime:%Y-%m-%d %H\\\\:%M\\\\:%S}\\':x=w-tw-11:y=11`,
    `drawtext=${style}:text=预留:x=11:y=543`,
  ]);
  t.equal(TIME_EXPANSION, '%{localtime:%Y-%m-%d %H\\:%M\\:%S}');
  t.equal(minFontSize(352), 11);
  t.equal(minFontSize(1920), 60, 'B.一.(二) 2: ≥ 1/32 of the width');
  t.match(overlayDrawtext(['x'], { fontFile: '/f', width: 1280, height: 720, fontSize: 20 }), /fontsize=40:/, 'a smaller size is raised');
  t.match(overlayDrawtext(['x'], { fontFile: '/f', width: 1280, height: 720, fontSize: 48 }), /fontsize=48:/);
  t.throws(() => overlayDrawtext(['x'], { fontFile: '/f', width: 0, height: 288 }), RangeError);
  // Filtergraph and option specials in text are escaped, not interpreted.
  t.match(overlayDrawtext(["a:b'c,d[e];f\\g%h"], { fontFile: '/f', width: W, height: H }), "text=\\'a:b\\'\\\\\\'\\'c\\,d\\[e\\]\\;f\\\\\\\\g\\\\%h\\'");
});

t.test('overlayFilterFor: only with burn_in and a compliant record; sized for the output', async (t) => {
  t.equal(overlayFilterFor(camera(), overlayCfg({ burn_in: false }), { width: W, height: H }), undefined);
  t.equal(overlayFilterFor(camera({}), overlayCfg(), { width: W, height: H }), undefined, 'travel direction and destination missing');
  const f = overlayFilterFor(camera(), overlayCfg({ province_abbr: '湘', road_short_name: '京港澳' }), { width: 1280, height: 720 });
  t.match(f, /text=湘-G4-京港澳-路面:/);
  t.match(f, /fontsize=40:/);
  t.match(f, /text=预留:x=20:y=660/);
  const cfg = configSchema.parse({ gateway: { device_code: 'vg-1' }, province: { base_url: 'https://10.1.1.1', user: 'u', token: 't', sm2_private_key: '1f'.repeat(32) } }).overlay;
  t.same(cfg, { osd: true, burn_in: false, font: FONT }, 'defaults of [overlay]');
  // fontconfig falls back to any font silently: check the family it resolves to.
  const resolved = execFileSync('fc-match', ['--format=%{family}', FONT], { encoding: 'utf8' });
  t.match(resolved, FONT, `the default font is installed (scripts/deps.sh: fonts-noto-cjk): ${FONT} → ${resolved}`);
});

/** Runs FFmpeg on a mid-grey CIF source through `vf` (one argv element, as the push pipeline passes it); resolves to stdout. */
function ffmpeg(t: Tap, vf: string, env: Record<string, string>, output: readonly string[], frames = 1): Promise<Buffer> {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=gray:s=${W}x${H}:r=25`, '-frames:v', String(frames), '-vf', vf, ...output];
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => {
      if (p.exitCode === null) p.kill('SIGKILL');
    });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c: Buffer) => (err += String(c)));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg exited ${code}: ${err}`))));
  });
}

type Tap = { teardown(fn: () => unknown): void };

/** The luma plane of the first frame after `vf`, uncompressed, so pixels compare exactly. */
const frame = (t: Tap, vf: string, env: Record<string, string>): Promise<Buffer> => ffmpeg(t, vf, env, ['-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);

const region = (buf: Buffer, x0: number, y0: number, w: number, h: number): Buffer => {
  const rows: Buffer[] = [];
  for (let y = y0; y < y0 + h; y++) rows.push(buf.subarray(y * W + x0, y * W + x0 + w));
  return Buffer.concat(rows);
};
const differs = (a: Buffer, b: Buffer): number => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

t.test('real FFmpeg: a CIF encode with the overlay runs and draws the glyphs where they belong', async (t) => {
  const f = overlayFilterFor(camera(), overlayCfg(), { width: W, height: H });
  if (f === undefined) throw new Error('no filter');
  const args = outputArgs({
    encode: { encoder: 'libx264', fit: 'exact', width: W, height: H, fps: 25, bitrateKbps: 128, gopFrames: 25, preset: 'veryfast', threads: 1, fastDecode: true, overlayFilter: f },
    audio: 'none',
    url: 'rtmp://127.0.0.1/x',
  });
  const vf = args[args.indexOf('-vf') + 1] as string;
  const encoder = args.slice(args.indexOf('-c:v'), args.indexOf('-f', args.indexOf('-c:v')));
  const h264 = await ffmpeg(t, vf, OVERLAY_FFMPEG_ENV, [...encoder, '-f', 'h264', 'pipe:1'], 25);
  t.ok(h264.length > 1000 && h264.subarray(0, 4).equals(Buffer.from([0, 0, 0, 1])), `one second of CIF 128 kbps x264 with the overlay: ${h264.length} bytes of H.264`);
  const plain = await frame(t, 'fps=25,scale=352:288:flags=fast_bilinear,setsar=1,format=yuv420p', OVERLAY_FFMPEG_ENV);
  const drawn = await frame(t, vf, OVERLAY_FFMPEG_ENV);
  t.equal(drawn.length, W * H);
  // Line 1 (11 px glyphs at 6,6) and line 2 below it; the clock top right; the reserved line bottom left.
  t.ok(differs(region(drawn, 0, 0, 120, 20), region(plain, 0, 0, 120, 20)) > 50, 'line 1 drawn top left');
  t.ok(differs(region(drawn, 0, 20, 120, 16), region(plain, 0, 20, 120, 16)) > 50, 'line 2 drawn below it');
  t.ok(differs(region(drawn, W - 120, 0, 120, 20), region(plain, W - 120, 0, 120, 20)) > 50, 'the time drawn top right');
  t.ok(differs(region(drawn, 0, H - 20, 60, 20), region(plain, 0, H - 20, 60, 20)) > 20, 'the reserved line drawn bottom left');
  t.equal(differs(region(drawn, 100, 100, 150, 100), region(plain, 100, 100, 150, 100)), 0, 'the middle of the picture untouched');
});

t.test('real FFmpeg: the clock is Beijing time with OVERLAY_FFMPEG_ENV, whatever the TZ of the daemon', async (t) => {
  const opts = { fontFile: FONT, width: W, height: H };
  const before = Date.now();
  const clock = await frame(t, overlayDrawtext([], opts), OVERLAY_FFMPEG_ENV);
  const after = Date.now();
  const utc = await frame(t, overlayDrawtext([], opts), { TZ: 'UTC0' });
  // The frame was drawn between `before` and `after`: one of those seconds, written out, must look the same.
  const seconds: number[] = [];
  for (let s = Math.floor(before / 1000); s <= Math.floor(after / 1000); s++) seconds.push(s);
  const candidates = await Promise.all(seconds.map((s) => frame(t, overlayDrawtext([], { ...opts, timeText: formatOverlayTime(new Date(s * 1000)) }), {})));
  const top = (b: Buffer) => region(b, W / 2, 0, W / 2, 24);
  const match = candidates.findIndex((c) => differs(top(c), top(clock)) === 0);
  t.ok(match >= 0, `the drawn time equals Beijing time ${seconds.map((s) => formatOverlayTime(new Date(s * 1000))).join(' or ')}`);
  t.ok(candidates.every((c) => differs(top(c), top(utc)) > 0), 'with TZ=UTC0 the same filter draws another time: the env is what makes it Beijing time');
});
