import { spawn } from 'node:child_process';
import type { AudioCapture } from './audio-capture.js';
import { FRAME_RATE } from './encoder.js';
import { log } from './log.js';
import { scrubbedEnv } from './processes.js';

/**
 * Shown before the meeting: a white flash and a beep together about every 0.4 s. Each pair is planned
 * about 300 ms (a whole number of frames) ahead on the page's own frame clock (requestAnimationFrame's
 * frame times): the flash is drawn in exactly that frame, and the beep is scheduled to be audible at
 * that frame's time, as mapped by getOutputTimestamp. Flashing on the first frame after a beep instead
 * would put the flash up to a frame late, by a different amount on every run. (The test page,
 * test/fixtures/meeting.html, does the same on its own, so that it does not measure with the code it
 * checks.)
 */
export const CALIBRATION_PAGE = `<!doctype html><html><body style="margin:0;background:#000">
<canvas id="c" style="display:block;width:100vw;height:100vh"></canvas><script>
const canvas = document.getElementById('c'); const context = canvas.getContext('2d');
canvas.width = innerWidth; canvas.height = innerHeight;
const audio = new AudioContext({ sampleRate: 48000 });
const intervals = []; let previousFrame; let flashFrame; let flashEnds = -Infinity; let planFrom = 0;
const beepAudibleAt = (frameTime) => { const stamp = audio.getOutputTimestamp();
  const at = stamp.contextTime + (frameTime - stamp.performanceTime) / 1000;
  const oscillator = audio.createOscillator(); const gain = audio.createGain();
  oscillator.frequency.value = 1000; gain.gain.setValueAtTime(0, 0); gain.gain.setValueAtTime(0.5, at);
  gain.gain.setValueAtTime(0, at + 0.1); oscillator.connect(gain).connect(audio.destination);
  oscillator.start(at); oscillator.stop(at + 0.15); };
const draw = (now) => {
  if (previousFrame !== undefined) intervals.push(now - previousFrame);
  if (intervals.length > 15) intervals.shift();
  previousFrame = now;
  const interval = [...intervals].sort((a, b) => a - b)[intervals.length >> 1];
  if (flashFrame !== undefined && now > flashFrame - interval / 2) {
    if (now < flashFrame + interval / 2) flashEnds = now + 100;
    flashFrame = undefined; }
  if (flashFrame === undefined && intervals.length >= 5 && now >= planFrom && audio.getOutputTimestamp().contextTime > 0) {
    flashFrame = now + Math.round(300 / interval) * interval; planFrom = flashFrame + 100; beepAudibleAt(flashFrame); }
  // Lit for the frames in [flash, flash + 100 ms); the millisecond keeps a jittered fourth frame dark.
  context.fillStyle = now < flashEnds - 1 ? '#fff' : '#000';
  context.fillRect(0, 0, canvas.width, canvas.height); requestAnimationFrame(draw); };
requestAnimationFrame(draw);
</script></body></html>`;

/** The calibration watches a 32×32 corner of the screen at 240 fps: it sees a paint within 4.2 ms. */
const CALIBRATION_FRAME_RATE = 240;

/**
 * Watches the top-left corner of the screen at CALIBRATION_FRAME_RATE and collects the wall-clock
 * times (s) at which it turns white, until `enough(flashes)` says so or `seconds` have passed.
 */
async function captureFlashes(
  display: string,
  seconds: number,
  enough: (flashes: number[]) => boolean,
): Promise<number[]> {
  const ffmpeg = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-copyts',
      '-f',
      'x11grab',
      '-framerate',
      String(CALIBRATION_FRAME_RATE),
      '-video_size',
      '32x32',
      '-i',
      `${display}.0+0,0`,
      '-vf',
      // direct=1: each frame's line is written at once, not when a buffer fills.
      'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-:direct=1',
      '-f',
      'null',
      '-',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], env: scrubbedEnv(process.env, { DISPLAY: display }) },
  );
  const flashes: number[] = [];
  let time = 0;
  let previousLuma = 0;
  let partial = '';
  const exited = new Promise((resolve) => ffmpeg.once('exit', resolve));
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, seconds * 1000);
    ffmpeg.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        // pts_time is printed with 6 significant digits; pts (x11grab: microseconds) keeps them all.
        const frame = line.match(/ pts:(\d+)/);
        if (frame?.[1]) time = Number(frame[1]) / 1_000_000;
        const luma = line.match(/YAVG=([\d.]+)/);
        if (!luma?.[1]) continue;
        const value = Number(luma[1]);
        if (value > 128 && previousLuma <= 128) {
          flashes.push(time);
          if (enough(flashes)) {
            clearTimeout(timer);
            resolve();
          }
        }
        previousLuma = value;
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  await done;
  ffmpeg.kill('SIGINT');
  await exited;
  return flashes;
}

/** The lag the correction aims at: the middle of ITU-R BT.1359's window, 45 ms of lead to 125 ms of lag. */
export const TARGET_AUDIO_LAG_SECONDS = 0.04;

/**
 * A free-running grab shows a paint at the first grab after it: on average half a grab interval late.
 * The recording grabs at 30 fps, the calibration at 240, so the recording's pictures come this much
 * later on average than the calibration saw them, and the sound must follow them.
 */
export const GRAB_DELAY_DIFFERENCE_SECONDS = 1 / (2 * FRAME_RATE) - 1 / (2 * CALIBRATION_FRAME_RATE);

export interface SyncCalibration {
  /** Measured lag of the captured sound behind the captured picture (s); negative: sound ahead. */
  measuredLagSeconds: number;
  /** How much later the sound must play than captured (s) for the recording to land on the target lag. */
  audioDelaySeconds: number;
  /** How many of the latest pairs the result rests on (at most 4), and how far apart they were. */
  pairs: number;
  spreadMs: number;
}

/**
 * Measures, on this machine and this run, how far the captured sound is ahead of the captured
 * picture for sound and picture that Chromium puts out together. Chromium's picture path is a whole
 * number of frames deep (5, 38 or 71 ms here, from run to run, and it can change a few seconds
 * after launch), so the latest pairs count: the measurement stops once the last four agree.
 * Undefined when it is not trustworthy (too few pairs, or pairs that disagree).
 */
export async function calibrateSync(
  display: string,
  capture: AudioCapture,
  seconds: number,
): Promise<SyncCalibration | undefined> {
  const from = Date.now() / 1000;
  // Stops as soon as the latest pairs agree (the meeting waits for this), and uses exactly those.
  let agreed: ReturnType<typeof latestLag>;
  const flashes = await captureFlashes(display, seconds, (seen) => {
    const lag = latestLag(seen, capture.onsetsSince(from));
    if (lag === undefined || lag.pairs < LATEST_PAIRS || lag.spreadMs > AGREEING_SPREAD_MS) return false;
    agreed = lag;
    return true;
  });
  const beeps = capture.onsetsSince(from);
  const lag = agreed ?? latestLag(flashes, beeps);
  log('sync_calibration', {
    seconds: Math.round((Date.now() / 1000 - from) * 100) / 100,
    flashes: flashes.length,
    beeps: beeps.length,
    offsetsMs: lag?.offsetsMs ?? [],
  });
  if (lag === undefined || lag.pairs < 3 || lag.spreadMs > TRUSTED_SPREAD_MS) return undefined;
  return {
    measuredLagSeconds: lag.medianSeconds,
    audioDelaySeconds: TARGET_AUDIO_LAG_SECONDS - lag.medianSeconds + GRAB_DELAY_DIFFERENCE_SECONDS,
    pairs: lag.pairs,
    spreadMs: lag.spreadMs,
  };
}

/** How many of the latest pairs are measured, and how closely they must agree (ms) to stop early or to be used. */
const LATEST_PAIRS = 4;
const AGREEING_SPREAD_MS = 10;
const TRUSTED_SPREAD_MS = 40;

/**
 * Pairs each flash with the nearest beep (in order, all of them in `offsetsMs`); the median and the
 * spread of the latest LATEST_PAIRS.
 */
function latestLag(flashes: number[], beeps: number[]) {
  const offsets: number[] = [];
  for (const flash of flashes) {
    const nearest = beeps.reduce(
      (best, beep) => (Math.abs(beep - flash) < Math.abs(best - flash) ? beep : best),
      Number.POSITIVE_INFINITY,
    );
    if (Math.abs(nearest - flash) < 0.2) offsets.push(nearest - flash);
  }
  const latest = offsets.slice(-LATEST_PAIRS).sort((a, b) => a - b);
  const middle = latest.length >> 1;
  const upper = latest[middle];
  if (upper === undefined) return undefined;
  const medianSeconds = latest.length % 2 === 1 ? upper : (upper + (latest[middle - 1] ?? upper)) / 2;
  return {
    medianSeconds,
    spreadMs: Math.round(((latest.at(-1) ?? 0) - (latest[0] ?? 0)) * 1000),
    pairs: latest.length,
    offsetsMs: offsets.map((offset) => Math.round(offset * 1000)),
  };
}
