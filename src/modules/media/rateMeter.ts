/**
 * Frames per second over the last few seconds, from a frame counter. FFmpeg's own `fps=` is an
 * average since the process started, which a GOP-cache burst at start or a stall hides.
 */
export class RateMeter {
  private samples: Array<{ at: number; frames: number }> = [];

  constructor(private readonly windowMs = 5000) {}

  add(frames: number, at = Date.now()): void {
    const last = this.samples.at(-1);
    if (last && frames < last.frames) this.samples = []; // a new process counts from 0
    this.samples.push({ at, frames });
    while (this.samples.length > 2 && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }

  reset(): void {
    this.samples = [];
  }

  /** null until two samples at least 1 s apart exist. */
  fps(now = Date.now()): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 1000) return null;
    // A counter that stopped moving reads as 0 once the window has passed.
    if (now - last.at > this.windowMs) return 0;
    return ((last.frames - first.frames) * 1000) / (last.at - first.at);
  }
}
