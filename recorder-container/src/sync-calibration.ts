import type { Page } from 'puppeteer-core';
import type { AudioCapture } from './audio-capture.js';
import { log } from './log.js';
import { sleep } from './processes.js';

/** The binding through which the calibration page reports when each beep is planned to be heard. */
const BEEP_BINDING = '__meetingRecorderBeep';

/**
 * Shown before the meeting: a beep about every 0.4 s, each scheduled about 300 ms ahead to be audible
 * at a planned moment of the page's clock (as getOutputTimestamp maps it), which the page reports as
 * wall-clock milliseconds. The captured onset minus that moment is the audio path of this run.
 * (The test page, test/fixtures/meeting.html, plans its beeps on its own, so that it does not measure
 * with the code it checks.)
 */
export const CALIBRATION_PAGE = `<!doctype html><html><body style="margin:0;background:#000"><script>
const wallNow = Date.now.bind(Date);
const audio = new AudioContext({ sampleRate: 48000 });
const plan = () => {
  const stamp = audio.getOutputTimestamp();
  if (stamp.contextTime > 0) {
    const audibleAt = performance.now() + 300;
    const at = stamp.contextTime + (audibleAt - stamp.performanceTime) / 1000;
    const oscillator = audio.createOscillator(); const gain = audio.createGain();
    oscillator.frequency.value = 1000; gain.gain.setValueAtTime(0, 0); gain.gain.setValueAtTime(0.5, at);
    gain.gain.setValueAtTime(0, at + 0.1); oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at); oscillator.stop(at + 0.15);
    globalThis.${BEEP_BINDING}(wallNow() + audibleAt - performance.now());
  }
  setTimeout(plan, 400);
};
plan();
</script></body></html>`;

/** The lag the correction aims at: the middle of ITU-R BT.1359's window, 45 ms of lead to 125 ms of lag. */
export const TARGET_AUDIO_LAG_SECONDS = 0.04;

/**
 * The audio path assumed when there is no calibration (AV_CALIBRATION_SECONDS=0, or it failed): beeps
 * reached the capture 6 ms before the time getOutputTimestamp gives, in every run measured here.
 */
export const TYPICAL_AUDIO_PATH_SECONDS = -0.006;

export interface SyncCalibration {
  /** When the captured sound starts, relative to when Chromium said it would be heard (s). */
  audioPathSeconds: number;
  /** How many of the latest beeps the result rests on (at most 4), and how far apart they were. */
  pairs: number;
  spreadMs: number;
}

/** How many of the latest beeps are measured, and how closely they must agree (ms) to stop early or to be used. */
const LATEST_PAIRS = 4;
const AGREEING_SPREAD_MS = 10;
const TRUSTED_SPREAD_MS = 40;

/**
 * Shows the calibration page and measures the audio path: how far the captured onset of a sound lies
 * from the moment Chromium planned it to be heard. It stops as soon as the latest four beeps agree
 * (the meeting waits for this). Undefined when it is not trustworthy (too few beeps, or beeps that
 * disagree). The picture side is measured in the meeting itself (paint-probe.ts).
 */
export async function calibrateSync(
  page: Page,
  capture: AudioCapture,
  seconds: number,
): Promise<SyncCalibration | undefined> {
  const planned: number[] = [];
  await page.exposeFunction(BEEP_BINDING, (wallMs: number) => {
    planned.push(wallMs / 1000);
  });
  try {
    await page.setContent(CALIBRATION_PAGE);
    await capture.calibrated();
    const from = Date.now() / 1000;
    const deadline = Date.now() + seconds * 1000;
    let path = latestPath(planned, capture.onsetsSince(from));
    while (
      Date.now() < deadline &&
      !(path && path.pairs >= LATEST_PAIRS && path.spreadMs <= AGREEING_SPREAD_MS)
    ) {
      await sleep(50);
      path = latestPath(planned, capture.onsetsSince(from));
    }
    log('sync_calibration', {
      seconds: Math.round((Date.now() / 1000 - from) * 100) / 100,
      beeps: planned.length,
      offsetsMs: path?.offsetsMs ?? [],
    });
    if (path === undefined || path.pairs < 3 || path.spreadMs > TRUSTED_SPREAD_MS) return undefined;
    return { audioPathSeconds: path.medianSeconds, pairs: path.pairs, spreadMs: path.spreadMs };
  } finally {
    await page.removeExposedFunction(BEEP_BINDING).catch(() => undefined);
  }
}

/**
 * Pairs each planned beep with the nearest captured onset (in order, all of them in `offsetsMs`); the
 * median and the spread of the latest LATEST_PAIRS.
 */
export function latestPath(planned: number[], onsets: number[]) {
  const offsets: number[] = [];
  for (const plannedAt of planned) {
    const nearest = onsets.reduce(
      (best, onset) => (Math.abs(onset - plannedAt) < Math.abs(best - plannedAt) ? onset : best),
      Number.POSITIVE_INFINITY,
    );
    if (Math.abs(nearest - plannedAt) < 0.2) offsets.push(nearest - plannedAt);
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
