/**
 * The paint probe measures, inside the meeting's own document and all through the recording, how late
 * a frame's picture lands in the file: from the frame's time on the page's frame clock to the time of
 * the file's first video frame that shows it. The injected script flips a PAINT_PROBE_PX square at the
 * top right of the viewport between black and white in an animation frame about four times a second and
 * reports that frame's time; the encoder grabs the square with the screen (it lies just right of the
 * recorded area, so the file never shows it) and prints its luma for every frame it encodes.
 *
 * This latency is what the sound must follow: Chromium puts a frame's sound out at the frame's time
 * (getOutputTimestamp is right to a few ms), but its picture path is a whole number of frames deep
 * (set per document, now and then changing), and the grab and the file's 30 fps grid add their own
 * phase, both different on every run.
 */

/** Width (and height) of the probe square, in pixels; the screen is this much wider than the recording. */
export const PAINT_PROBE_PX = 4;

/**
 * The latency the sound follows until the first measurement (within about a second of the start):
 * what it measured here, run after run (two frames and a bit).
 */
export const TYPICAL_PICTURE_LATENCY_SECONDS = 0.075;

/** The binding through which the page reports each flip. */
export const PAINT_PROBE_BINDING = '__meetingRecorderPaint';

/** How often the probe flips (ms between flips, plus up to a frame). */
const FLIP_INTERVAL_MS = 250;

/**
 * Runs in every document before its own scripts, and acts only in the top one (a frame's square would
 * land inside the recording). Date.now and performance.now are taken before the page can replace them;
 * the square is put back whenever the page removes it.
 */
export const PAINT_PROBE_SCRIPT = `(() => {
  if (globalThis.top !== globalThis) return;
  const wallNow = Date.now.bind(Date);
  const pageNow = performance.now.bind(performance);
  const probe = document.createElement('div');
  probe.style.cssText = 'position:fixed;top:0;right:0;width:${PAINT_PROBE_PX}px;height:${PAINT_PROBE_PX}px;'
    + 'margin:0;padding:0;border:0;z-index:2147483647;pointer-events:none;background:#000';
  let lit = false;
  const flip = (frameTime) => {
    if (!probe.isConnected && document.documentElement) document.documentElement.append(probe);
    if (probe.isConnected) {
      lit = !lit;
      probe.style.background = lit ? '#fff' : '#000';
      globalThis.${PAINT_PROBE_BINDING}?.(JSON.stringify([wallNow() + frameTime - pageNow(), lit]));
    }
    setTimeout(() => requestAnimationFrame(flip), ${FLIP_INTERVAL_MS});
  };
  requestAnimationFrame(flip);
})();`;

/** Longest latency believed (s): anything later is not the flip it seems to follow. */
const MAX_LATENCY_SECONDS = 0.3;
/** Flips kept while no encoded frame shows them (the square hidden under a full-screen element, say). */
const MAX_PENDING_FLIPS = 20;
/** The latency in force is a trimmed mean of this many of the latest measurements. */
const WINDOW = 10;

interface Transition {
  /** Wall-clock seconds. */
  at: number;
  lit: boolean;
}

/**
 * Pairs the page's flips with the encoded frames that first show them. Feed it both streams, in their
 * own order; `latencySeconds` is the picture latency in force.
 */
export class PictureLatency {
  private readonly flips: Transition[] = [];
  private readonly shown: Transition[] = [];
  private shownLit: boolean | undefined;
  private readonly samples: number[] = [];
  /** Every measurement, in ms, for the log. */
  readonly measuredMs: number[] = [];

  constructor(private readonly onMeasured: (latencySeconds: number) => void = () => undefined) {}

  /** The page drew a flip in the frame of wall-clock time `frameAtSeconds`. */
  flipped(frameAtSeconds: number, lit: boolean): void {
    this.flips.push({ at: frameAtSeconds, lit });
    if (this.flips.length > MAX_PENDING_FLIPS) this.flips.shift();
    this.match();
  }

  /** The encoder encoded the frame of wall-clock time `frameAtSeconds` with the probe at mean luma `luma`. */
  encoded(frameAtSeconds: number, luma: number): void {
    const lit = luma > 128;
    if (this.shownLit !== undefined && lit !== this.shownLit) this.shown.push({ at: frameAtSeconds, lit });
    this.shownLit = lit;
    this.match();
  }

  /** Trimmed mean (the highest and the lowest dropped) of the latest measurements; undefined before any. */
  get latencySeconds(): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const kept = sorted.length > 3 ? sorted.slice(1, -1) : sorted;
    return kept.reduce((sum, value) => sum + value, 0) / kept.length;
  }

  private match(): void {
    for (;;) {
      const shown = this.shown[0];
      if (shown === undefined) return;
      const flipIndex = this.flips.findIndex(
        (flip) => flip.lit === shown.lit && flip.at <= shown.at && shown.at - flip.at <= MAX_LATENCY_SECONDS,
      );
      if (flipIndex >= 0) {
        const latency = shown.at - (this.flips[flipIndex]?.at ?? shown.at);
        this.flips.splice(0, flipIndex + 1);
        this.shown.shift();
        this.samples.push(latency);
        if (this.samples.length > WINDOW) this.samples.shift();
        this.measuredMs.push(Math.round(latency * 1000));
        this.onMeasured(latency);
        continue;
      }
      // A flip reported later can still match, unless the page's reports are already past it.
      const newestFlip = this.flips.at(-1);
      if (newestFlip !== undefined && newestFlip.at > shown.at) {
        this.shown.shift();
        continue;
      }
      while ((this.flips[0]?.at ?? Number.POSITIVE_INFINITY) < shown.at - MAX_LATENCY_SECONDS)
        this.flips.shift();
      return;
    }
  }
}
