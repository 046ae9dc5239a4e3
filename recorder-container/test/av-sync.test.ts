import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSync } from './support/media-analysis.js';
import { type Stage, sleep, startStage } from './support/recording-session.js';

/** ITU-R BT.1359 detectability thresholds: audio at most 45 ms ahead, at most 125 ms behind. */
const MAX_AUDIO_LEAD_MS = 45;
const MAX_AUDIO_LAG_MS = 125;

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
});
afterAll(async () => {
  await stage?.close();
});

describe('A/V sync on a page that flashes and beeps together', () => {
  // Cold: the first recorder of this test process (nothing in the page cache, audio path fresh); warm: one right after.
  // One retry: 32 recordings landed −44…+84 ms (bench/av-sync.ts); Chromium's picture path is a whole
  // number of frames deep, set per page and now and then changing mid-recording, which the calibration (on
  // its own page) cannot see (see the README). Two misses in a row fail.
  it.each(['cold', 'warm'])('is inside the detectability window on a %s start', { retry: 1 }, async () => {
    const recording = stage.record('/meeting?mode=sync');
    await recording.process.waitFor('recording_started');
    await sleep(10_000);
    recording.process.child.kill('SIGTERM');
    expect(await recording.process.exited).toBe(0);
    const sync = await measureSync(await recording.download());
    const verified = recording.process.find('verified');
    const calibration = verified?.['calibration'];
    console.info(
      `A/V offsets (ms, + = audio behind): ${sync.offsetsMs.join(' ')}; median ${sync.medianMs}; calibration ${JSON.stringify(calibration)} from pairs ${recording.process.find('sync_calibration')?.['offsetsMs']} ms; audio clock refined by ${verified?.['audioClockRefinementMs']} ms after it was committed`,
    );
    expect(calibration).toBeDefined();
    expect(sync.offsetsMs.length).toBeGreaterThanOrEqual(7);
    expect(sync.medianMs).toBeGreaterThanOrEqual(-MAX_AUDIO_LEAD_MS);
    expect(sync.medianMs).toBeLessThanOrEqual(MAX_AUDIO_LAG_MS);
  });
});
