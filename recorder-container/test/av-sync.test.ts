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
  // Cold: the first recorder of this test process (nothing in the page cache, audio path fresh); warm: one
  // right after. No retry: the picture latency, which differs from run to run (30, 64 and 75 ms were
  // seen), is measured in the meeting's own document and the sound follows it.
  it.each(['cold', 'warm'])('is inside the detectability window on a %s start', async () => {
    const recording = stage.record('/meeting?mode=sync');
    await recording.process.waitFor('recording_started');
    await sleep(10_000);
    recording.process.child.kill('SIGTERM');
    expect(await recording.process.exited).toBe(0);
    const sync = await measureSync(await recording.download());
    const verified = recording.process.find('verified');
    const calibration = verified?.['calibration'];
    const latencies = (verified?.['pictureLatencyMs'] as number[] | undefined) ?? [];
    console.info(
      `A/V offsets (ms, + = audio behind): ${sync.offsetsMs.join(' ')}; median ${sync.medianMs}; audio path ${JSON.stringify(calibration)} from beeps ${recording.process.find('sync_calibration')?.['offsetsMs']} ms; picture latency ${latencies.slice(0, 5).join(' ')}… ms, ${verified?.['realignments']} realignment(s); audio clock refined by ${verified?.['audioClockRefinementMs']} ms after it was committed`,
    );
    expect(calibration).toBeDefined();
    // The paint probe reported about four times a second from the meeting's first frames on.
    expect(latencies.length).toBeGreaterThanOrEqual(30);
    expect(sync.offsetsMs.length).toBeGreaterThanOrEqual(7);
    expect(sync.medianMs).toBeGreaterThanOrEqual(-MAX_AUDIO_LEAD_MS);
    expect(sync.medianMs).toBeLessThanOrEqual(MAX_AUDIO_LAG_MS);
    // A single pair may catch a dropped frame on a busy machine; the sync itself holds for all the others.
    const outside = sync.offsetsMs.filter(
      (offset) => offset < -MAX_AUDIO_LEAD_MS || offset > MAX_AUDIO_LAG_MS,
    );
    expect(outside.length, `pairs outside the window: ${outside.join(' ')}`).toBeLessThanOrEqual(1);
  });
});
