// The project's own labelled image-quality set (issue 5 item 3): short clips made with FFmpeg's
// lavfi sources and filters, encoded with H.264 at a camera-like quality (CRF 20, CIF) and cached,
// so the detectors are judged on what they will really see: decoded, compressed, scaled pictures.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { cachedFfmpegOutput } from '../../protocols/ffmpeg/cachedOutput.js';
import { readFrames, type FrameReadOptions } from './frames.js';
import type { Condition, Frame } from './types.js';

export const DATASET_SOURCE = { width: 352, height: 288, fps: 25, seconds: 2, bitrateKbps: 3000 } as const;

export type ItemKind = 'normal' | 'hard-negative' | 'defect';

export interface DatasetItem {
  id: string;
  kind: ItemKind;
  labels: readonly Condition[];
  /** A lavfi filtergraph whose output is the clip (label [out0] implied at its end). */
  graph: string;
  note: string;
}

const W = DATASET_SOURCE.width;
const H = DATASET_SOURCE.height;
const R = DATASET_SOURCE.fps;

/** Mild temporal sensor noise that every real camera picture carries. */
const SENSOR = 'noise=alls=4:allf=t';

function cars(bg: string, speed = 1): string {
  // Boxes with a darker windscreen, so a car has inner edges like a real one.
  const car = (c: string, w: number, h: number, name: string) =>
    `color=c=${c}:s=${w}x${h}:r=${R},drawbox=x=${Math.round(w * 0.2)}:y=${Math.round(h * 0.2)}:w=${Math.round(w * 0.35)}:h=${Math.round(h * 0.45)}:color=0x202830:t=fill[${name}]`;
  return [
    car('0xb02020', 52, 28, 'c1'),
    car('0x2040a0', 46, 26, 'c2'),
    car('0xe0e0e0', 80, 34, 'c3'),
    `${bg}[c1]overlay=x='mod(t*${130 * speed}\\,${W + 60})-52':y=170:eval=frame[o1]`,
    `[o1][c2]overlay=x='${W}-mod(t*${95 * speed}\\,${W + 60})':y=226:eval=frame[o2]`,
    `[o2][c3]overlay=x='mod(40+t*${70 * speed}\\,${W + 90})-80':y=112:eval=frame`,
  ].join(';');
}

/** Asphalt with lanes and a grass verge; the texture is static (noise without the t flag). */
function roadBackground(seed: number, label: string, width: number = W): string {
  const dashes = [0, 72, 144, 216].map((y) => `drawbox=x=120:y=${y + 60}:w=6:h=36:color=0xe8e8e8:t=fill,drawbox=x=232:y=${y + 60}:w=6:h=36:color=0xe8e8e8:t=fill`);
  return (
    `color=c=0x5c5c5c:s=${width}x${H}:r=${R},drawbox=x=0:y=0:w=${width}:h=60:color=0x4a7a32:t=fill,` +
    `drawbox=x=0:y=58:w=${width}:h=4:color=0xd8d8d8:t=fill,${dashes.join(',')},` +
    `noise=alls=22:allf=u:all_seed=${seed},gblur=sigma=0.6[${label}]`
  );
}

export type SceneName = 'road' | 'road2' | 'busy' | 'night' | 'night2' | 'rain' | 'still' | 'sky' | 'detail' | 'pan' | 'dusk';

/** Normal scenes; each graph ends in its picture (no output label). */
export function scene(name: SceneName): string {
  switch (name) {
    case 'road':
      return `${roadBackground(7, 'bg')};${cars('[bg]')},${SENSOR}`;
    case 'road2':
      return `${roadBackground(11, 'bg')};${cars('[bg]', 1.6)},eq=contrast=1.15:saturation=1.2,${SENSOR}`;
    case 'busy':
      return `testsrc2=s=${W}x${H}:r=${R},${SENSOR}`;
    case 'rain':
      // Rain: lower contrast, a grey veil and stronger grain over a moving road.
      return `${roadBackground(13, 'bg')};${cars('[bg]')},eq=contrast=0.8:brightness=0.04,noise=alls=8:allf=t`;
    case 'still':
      // An empty road at rest: only sensor noise changes between frames.
      return `${roadBackground(17, 'bg')};[bg]${SENSOR}`;
    case 'sky':
      // 40 % of the picture is a smooth sky: low texture that is not an occlusion.
      return (
        `${roadBackground(19, 'bg')};${cars('[bg]')}[road];` +
        `gradients=s=${W}x115:r=${R}:c0=0x8cb4e0:c1=0xe4edf6:x0=0:y0=0:x1=0:y1=115:nb_colors=2:speed=0.0001[sky];` +
        `[road][sky]overlay=x=0:y=0,${SENSOR}`
      );
    case 'detail':
      // Fine static texture (gravel, foliage): high-frequency but not noise, since it does not change.
      return `color=c=0x707070:s=${W}x${H}:r=${R},noise=alls=70:allf=u:all_seed=23[bg];${cars('[bg]')},noise=alls=3:allf=t`;
    case 'pan':
      // The PTZ turning: the whole picture slides, every block changes in step.
      return `${roadBackground(31, 'wide', W + 200)};${cars('[wide]')},crop=w=${W}:h=${H}:x='t*80':y=0,${SENSOR}`;
    case 'dusk':
      // Half light with the cars' lamps on: darker than day, still a good picture.
      return `${roadBackground(37, 'bg')};${cars('[bg]')},${darkenChain(0.45)},drawbox=x=20:y=20:w=5:h=5:color=0xffffe0:t=fill,drawbox=x=300:y=24:w=5:h=5:color=0xffffe0:t=fill,${SENSOR}`;
    case 'night2':
      return nightScene(41, [[40, 30], [150, 45], [260, 60], [20, 120], [320, 135], [180, 200], [80, 260]], 10);
    case 'night': {
      // Dark road with street lamps along it and moving headlights: dark, yet not abnormal.
      return nightScene(29, [[20, 40], [90, 55], [160, 70], [230, 85], [300, 100], [60, 150], [200, 140], [330, 160], [120, 230], [270, 250]], 7);
    }
  }
}

function nightScene(seed: number, lampsAt: number[][], grain: number): string {
  const lamps = lampsAt.map(([x, y]) => `drawbox=x=${x}:y=${y}:w=7:h=7:color=0xfff4d0:t=fill`);
  return (
    `color=c=0x0a0a0a:s=${W}x${H}:r=${R},drawbox=x=0:y=130:w=${W}:h=158:color=0x262626:t=fill,` +
    `noise=alls=12:allf=u:all_seed=${seed},${lamps.join(',')}[bg];` +
    `color=c=0xfffff0:s=24x8:r=${R}[hl];color=c=0xff3020:s=24x6:r=${R}[tl];` +
    `[bg][hl]overlay=x='mod(t*120\\,${W + 40})-24':y=200:eval=frame[n1];` +
    `[n1][tl]overlay=x='${W}-mod(t*90\\,${W + 40})':y=170:eval=frame,noise=alls=${grain}:allf=t`
  );
}

function darkenChain(k: number): string {
  return `lutyuv=y='val*${k}':u='128+(val-128)*${k}':v='128+(val-128)*${k}'`;
}

/** A scene followed by a filter chain applied to its picture. */
const over = (name: SceneName, chain: string): string => `${scene(name)},${chain}`;
/** A scene with a box laid over it (occluder), then sensor noise over the whole. */
const occlude = (name: SceneName, c: string, x: number, y: number, w: number, h: number): string =>
  `${scene(name)}[sc];color=c=${c}:s=${w}x${h}:r=${R},gblur=sigma=2[occ];[sc][occ]overlay=x=${x}:y=${y},${SENSOR}`;
const osdText = "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf:fontsize=14:fontcolor=white:x=8:y=8:text='2026-11-21 %{pts\\:hms} K12+300'";
const freeze = (name: SceneName): string => `${scene(name)},trim=start_frame=7:end_frame=8,loop=loop=-1:size=1,setpts=N/${R}/TB`;
const flickerEq = (amp: number, hz: number): string => `eq=brightness='${amp}*sin(2*PI*${hz}*t)':eval=frame`;
const bands = (amp: number, period: number, speed: number, axis: 'Y' | 'X'): string =>
  `geq=lum='clip(lum(X\\,Y)+${amp}*sin(2*PI*(${axis}/${period}+T*${speed}))\\,0\\,255)':cb='cb(X\\,Y)':cr='cr(X\\,Y)'`;
const darken = darkenChain;

/** The whole labelled set. Ids are stable; a changed graph gets a new cache file through its hash. */
export function datasetItems(): DatasetItem[] {
  const items: DatasetItem[] = [];
  const add = (id: string, kind: ItemKind, labels: Condition[], graph: string, note: string) => items.push({ id, kind, labels, graph, note });

  add('normal-road', 'normal', [], scene('road'), 'textured road, moving cars');
  add('normal-road2', 'normal', [], scene('road2'), 'road, faster traffic, more contrast');
  add('normal-busy', 'normal', [], scene('busy'), 'testsrc2: colour, motion, text');
  add('normal-rain', 'normal', [], scene('rain'), 'rain-like: low contrast, mild grain over motion');
  add('hardneg-night', 'hard-negative', [], scene('night'), 'legitimately dark night scene with lamps and headlights');
  add('hardneg-still', 'hard-negative', [], scene('still'), 'still empty road with sensor noise: not frozen');
  add('hardneg-sky', 'hard-negative', [], scene('sky'), '40 % smooth sky: not occlusion');
  add('hardneg-detail', 'hard-negative', [], scene('detail'), 'fine static texture: not noise');
  add('hardneg-osd', 'hard-negative', [], over('road', osdText), 'road with a ticking OSD clock');
  add('hardneg-night2', 'hard-negative', [], scene('night2'), 'another night road, more grain');
  add('hardneg-dusk', 'hard-negative', [], scene('dusk'), 'dusk: half light, lamps on');
  add('hardneg-pan', 'hard-negative', [], scene('pan'), 'camera panning: everything moves together');
  add('hardneg-cloud', 'hard-negative', [], over('road2', "eq=brightness='-0.06*t':eval=frame"), 'a cloud passing: slow brightness drift, not flicker');
  add(
    'hardneg-truck',
    'hard-negative',
    [],
    `${scene('road')}[sc];color=c=0xd8d8d8:s=200x170:r=${R}[tr];[sc][tr]overlay=x='mod(t*260\\,${W + 400})-200':y=100:eval=frame`,
    'a big plain truck passing close to the camera: not occlusion',
  );

  // Signal lost: no picture at all, whatever the screen shows instead.
  add('lost-black', 'defect', ['signalLost'], `color=c=black:s=${W}x${H}:r=${R}`, 'black screen');
  add('lost-black-grain', 'defect', ['signalLost'], `color=c=0x101010:s=${W}x${H}:r=${R},noise=alls=3:allf=t`, 'black with sensor grain (lens cap)');
  add('lost-black-osd', 'defect', ['signalLost'], `color=c=black:s=${W}x${H}:r=${R},${osdText}`, 'black with the camera OSD still drawn');
  add('lost-blue', 'defect', ['signalLost'], `color=c=0x0000ff:s=${W}x${H}:r=${R}`, 'blue screen');
  add(
    'lost-blue-text',
    'defect',
    ['signalLost'],
    `color=c=0x1030c0:s=${W}x${H}:r=${R},drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fontsize=24:fontcolor=white:x=(w-tw)/2:y=(h-th)/2:text='NO VIDEO'`,
    'NVR blue screen with "NO VIDEO"',
  );
  add('lost-grey', 'defect', ['signalLost'], `color=c=0x808080:s=${W}x${H}:r=${R}`, 'solid grey screen');
  add('lost-green', 'defect', ['signalLost'], `color=c=0x008700:s=${W}x${H}:r=${R}`, 'decoder-failure green screen');

  add('occl-left-60', 'defect', ['occluded'], occlude('road', '0x1c1c1c', 0, 0, 212, H), 'dark cover over the left 60 %');
  add('occl-bottom-75', 'defect', ['occluded'], occlude('busy', '0x282420', 0, 72, W, 216), 'dark cover over the bottom 75 %');
  add('occl-corner-90', 'defect', ['occluded'], occlude('road2', '0x141414', 0, 0, 334, 273), 'cover over 90 %');
  add('occl-leaf-55', 'defect', ['occluded'], occlude('sky', '0x2e4a22', 120, 0, 232, 236), 'green leaf over 55 % (with sky beside it)');
  add('occl-top-55', 'defect', ['occluded'], occlude('still', '0x202020', 0, 0, W, 160), 'dark cover over the top 55 % of a still road');
  add('occl-bag-70', 'defect', ['occluded'], occlude('road', '0xc8c8c0', 0, 86, W, 202), 'light plastic sheet over the bottom 70 %');

  for (const [scn, sigma] of [
    ['road', 2],
    ['busy', 2.5],
    ['sky', 3.5],
    ['road2', 6],
    ['rain', 4],
    ['detail', 3],
    ['night', 3],
    ['busy', 8],
  ] as const) {
    add(`blur-${scn}-${sigma}`, 'defect', ['blurred'], over(scn, `gblur=sigma=${sigma}`), `out of focus (Gaussian σ ${sigma} px at CIF)`);
  }

  add('dark-road-0.2', 'defect', ['brightness'], over('road', darken(0.2)), 'underexposed to 20 %');
  add('dark-busy-0.25', 'defect', ['brightness'], over('busy', darken(0.25)), 'underexposed to 25 %');
  add('dark-sky-0.18', 'defect', ['brightness'], over('sky', darken(0.18)), 'underexposed to 18 %');
  add('dark-road2-0.3', 'defect', ['brightness'], over('road2', darken(0.3)), 'underexposed to 30 %');
  add('bright-road', 'defect', ['brightness'], over('road', "lutyuv=y='val*2.6'"), 'overexposed ×2.6 (clipped)');
  add('bright-busy', 'defect', ['brightness'], over('busy', 'eq=brightness=0.45:contrast=0.7'), 'washed out');
  add('bright-sky', 'defect', ['brightness'], over('sky', "lutyuv=y='val*2.2+30'"), 'overexposed sky and road');

  add('frozen-road', 'defect', ['frozen'], freeze('road'), 'picture frozen');
  add('frozen-busy', 'defect', ['frozen'], freeze('busy'), 'picture frozen');
  add('frozen-night', 'defect', ['frozen'], freeze('night'), 'night picture frozen');
  add('frozen-still', 'defect', ['frozen'], freeze('still'), 'still road frozen: only the grain stops');
  add('frozen-sky', 'defect', ['frozen'], freeze('sky'), 'picture frozen');
  add('frozen-osd', 'defect', ['frozen'], `${freeze('road2')},${osdText}`, 'picture frozen while the OSD clock still ticks');

  for (const [scn, s] of [
    ['road', 20],
    ['still', 28],
    ['busy', 36],
    ['sky', 24],
    ['road2', 45],
    ['night', 20],
    ['rain', 16],
  ] as const) {
    add(`noise-${scn}-${s}`, 'defect', ['noise'], over(scn, `noise=alls=${s}:allf=t`), `temporal noise, strength ${s}`);
  }

  for (const [scn, amp, hz] of [
    ['road', 0.04, 5],
    ['busy', 0.06, 2.5],
    ['still', 0.03, 8.3],
    ['sky', 0.1, 3],
    ['road2', 0.05, 10],
    ['night', 0.03, 6],
    ['pan', 0.04, 4],
  ] as const) {
    add(`flicker-${scn}-${amp}-${hz}hz`, 'defect', ['flicker'], over(scn, flickerEq(amp, hz)), `global brightness ±${Math.round(amp * 255)} levels at ${hz} Hz`);
  }

  for (const [scn, amp, period, speed, axis] of [
    ['road', 10, 16, 1, 'Y'],
    ['busy', 14, 32, 2, 'Y'],
    ['sky', 20, 10, 0.5, 'Y'],
    ['still', 8, 24, 3, 'Y'],
    ['road2', 12, 20, 1.5, 'X'],
    ['night', 8, 12, 1, 'Y'],
    ['pan', 10, 28, 0.7, 'Y'],
  ] as const) {
    add(
      `stripes-${scn}-${axis === 'Y' ? 'h' : 'v'}${period}`,
      'defect',
      ['stripes'],
      over(scn, bands(amp, period, speed, axis)),
      `${axis === 'Y' ? 'horizontal' : 'vertical'} bands ±${amp} levels, period ${period} px, rolling ${speed} /s`,
    );
  }
  return items;
}

/**
 * How the clips are encoded. 'crf20' (the set the detectors are judged on): quality-bound with a
 * generous cap, like a main stream's bits per pixel. 'cbr512': a CIF sub-stream's 512 kbps CBR,
 * where x264 smears heavy noise into flat blotches; the bench reports it as a robustness check,
 * not tuned on.
 */
export type DatasetEncoding = 'crf20' | 'cbr512';

/** The FFmpeg argv that makes an item's clip as MPEG-TS on stdout (pure). */
export function datasetEncodeArgs(item: DatasetItem, encoding: DatasetEncoding = 'crf20'): string[] {
  const frames = DATASET_SOURCE.fps * DATASET_SOURCE.seconds;
  const rate =
    encoding === 'crf20'
      ? ['-crf', '20', '-maxrate', `${DATASET_SOURCE.bitrateKbps}k`, '-bufsize', `${DATASET_SOURCE.bitrateKbps}k`]
      : ['-b:v', '512k', '-maxrate', '512k', '-bufsize', '512k'];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', item.graph,
    '-frames:v', String(frames), '-an', '-pix_fmt', 'yuv420p',
    '-c:v', 'libx264', '-preset', 'veryfast', ...rate,
    '-g', '50', '-bf', '0', '-sc_threshold', '0',
    '-f', 'mpegts', 'pipe:1',
  ];
}

export function defaultDatasetCacheDir(): string {
  return process.env['VCGW_QUALITY_CACHE'] ?? path.join(os.homedir(), '.cache', 'vcgw', 'quality');
}

export function datasetFileName(item: DatasetItem, encoding: DatasetEncoding = 'crf20'): string {
  const hash = createHash('sha1').update(JSON.stringify(datasetEncodeArgs(item, encoding))).digest('hex').slice(0, 10);
  return `${item.id}-${hash}.ts`;
}

export interface DatasetOptions {
  encoding?: DatasetEncoding;
  cacheDir?: string;
  ffmpegPath?: string;
}

/** The clip of `item`, made first when it is not cached. */
export function ensureItemClip(item: DatasetItem, opts: DatasetOptions = {}): Promise<string> {
  const file = path.join(opts.cacheDir ?? defaultDatasetCacheDir(), datasetFileName(item, opts.encoding));
  return cachedFfmpegOutput(file, opts.ffmpegPath ?? 'ffmpeg', datasetEncodeArgs(item, opts.encoding));
}

/** Makes every missing clip, `parallel` encoders at a time. */
export async function ensureDataset(items: readonly DatasetItem[], opts: DatasetOptions & { parallel?: number } = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      out.set(item.id, await ensureItemClip(item, opts));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel ?? 2) }, worker));
  return out;
}

/** The decoded analysis frames of an item's clip. */
export async function itemFrames(item: DatasetItem, opts: DatasetOptions & FrameReadOptions = {}): Promise<Frame[]> {
  const file = await ensureItemClip(item, opts);
  const burst = await readFrames(file, { ...opts, timeoutMs: opts.timeoutMs ?? 20_000 });
  if (burst.frames.length === 0) throw new Error(`no frames decoded from ${file}: ${burst.error ?? burst.ended}`);
  return burst.frames;
}

