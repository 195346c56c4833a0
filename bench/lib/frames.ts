// Frame counters of outputs over time, and the frame rates they imply over a window.

/** Per output: (time first seen, frame count) each time the counter moved. */
export class FrameSeries {
  private readonly series = new Map<string, Array<{ at: number; frames: number }>>();
  /** Per output: the raw counter last read and what earlier runs of the process had counted. */
  private readonly raw = new Map<string, { last: number; offset: number }>();

  /** Records a counter reading; only changes are kept, stamped when first seen. */
  observe(key: string, frames: number | null | undefined, at = performance.now()): void {
    if (frames === null || frames === undefined) return;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = []));
    let r = this.raw.get(key);
    if (!r) this.raw.set(key, (r = { last: frames, offset: 0 }));
    // A restarted process counts from 0 again; keep the total going so the gap shows as lost rate.
    if (frames < r.last) r.offset += r.last;
    r.last = frames;
    const total = r.offset + frames;
    const last = s[s.length - 1];
    if (last && last.frames === total) return;
    s.push({ at, frames: total });
  }

  keys(): string[] {
    return [...this.series.keys()];
  }

  /** Frames per second of `key` between t0 and t1 (ms, performance.now()); 0 without two readings. */
  fps(key: string, t0: number, t1: number): number {
    const s = this.series.get(key) ?? [];
    const a = lastAtOrBefore(s, t0) ?? s.find((x) => x.at >= t0);
    const b = lastAtOrBefore(s, t1);
    if (!a || !b || b.at <= a.at) return 0;
    return ((b.frames - a.frames) * 1000) / (b.at - a.at);
  }

  /** The lowest rate over consecutive slices of `sliceMs` between t0 and t1. */
  worstSliceFps(key: string, t0: number, t1: number, sliceMs: number): number {
    let worst = Infinity;
    for (let a = t0; a + sliceMs <= t1 + 1; a += sliceMs) worst = Math.min(worst, this.fps(key, a, a + sliceMs));
    return Number.isFinite(worst) ? worst : 0;
  }
}

function lastAtOrBefore(s: Array<{ at: number; frames: number }>, t: number): { at: number; frames: number } | undefined {
  let found: { at: number; frames: number } | undefined;
  for (const x of s) {
    if (x.at <= t) found = x;
    else break;
  }
  return found;
}
