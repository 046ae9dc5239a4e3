import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salvageObject } from '../../lambdas/workflow/salvage.js';
import { pictureFacts, probeMedia, topLevelBoxes } from './support/media-analysis.js';
import { recordedWallSeconds, reportOf, type Stage, sleep, startStage } from './support/recording-session.js';
import { TEST_BUCKET } from './support/s3-emulator.js';
import { playInVlc, reportsLength } from './support/vlc-playback.js';

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
});
afterAll(async () => {
  await stage?.close();
});

/** Small parts, so that parts are uploaded during a short recording (s3rver accepts them). */
const SMALL_PARTS = { UPLOAD_PART_BYTES: String(192 * 1024) };

describe('faults', () => {
  it('Chromium killed: relaunched within seconds, the gap is the only loss', async () => {
    const recording = stage.record('/meeting');
    const started = await recording.process.waitFor('recording_started');
    await sleep(4000);
    process.kill(Number(started['browserPid']), 'SIGKILL');
    const recovered = await recording.process.waitFor('browser_recovered', 30_000);
    expect(Number(recovered['gapMs'])).toBeLessThan(8000);
    await sleep(5000);
    recording.process.child.kill('SIGTERM');
    expect(await recording.process.exited).toBe(0);

    const file = await recording.download();
    const facts = await probeMedia(file);
    expect(Math.abs(facts.duration - recordedWallSeconds(recording.process))).toBeLessThan(1);
    const picture = await pictureFacts(file);
    expect(picture.longestFreezeSeconds).toBeLessThan(Number(recovered['gapMs']) / 1000 + 1);
    expect(reportOf(recording.process)).toMatchObject({ partial: true, stopReason: 'interrupted' });
  });

  it('ffmpeg killed: what was recorded is completed as a playable partial file', async () => {
    const recording = stage.record('/meeting', SMALL_PARTS);
    const started = await recording.process.waitFor('recording_started');
    await sleep(7000);
    process.kill(Number(started['encoderPid']), 'SIGKILL');
    const killedAt = Date.now();
    expect(await recording.process.exited).toBe(0);
    expect(reportOf(recording.process)).toMatchObject({ partial: true, stopReason: 'recorder_failed' });

    const file = await recording.download();
    const facts = await probeMedia(file);
    const recordedBeforeKill = (killedAt - Date.parse(started.at)) / 1000;
    // A fragment is 2 s: the one being written when the encoder died is lost.
    expect(facts.duration).toBeGreaterThan(recordedBeforeKill - 3);
    expect(facts.duration).toBeLessThan(recordedBeforeKill + 0.5);
    expect(facts.video.codecName).toBe('h264');
    expect(facts.audio.codecName).toBe('aac');
    // Without ffmpeg's own end (no mfra) the recorder still finishes it as a standard MP4, which VLC plays.
    expect(topLevelBoxes(await readFile(file))).toEqual(['ftyp', 'moov', 'mdat']);
    const vlc = await playInVlc(file);
    expect(reportsLength(vlc, facts.duration), `VLC: ${vlc.lengthSeconds} s`).toBe(true);
    expect(vlc.videoFramesDisplayed).toBeGreaterThan(0);
  });

  it('the recorder SIGKILLed: the parts in S3 are salvaged into a playable partial file, as a standard MP4', async () => {
    const recording = stage.record('/meeting', SMALL_PARTS);
    const started = await recording.process.waitFor('recording_started');
    await recording.process.waitFor('upload_part', 30_000, (event) => Number(event['partNumber']) >= 3);
    const lastPart = recording.process.events.filter((event) => event.event === 'upload_part').at(-1)!;
    const uploadedBeforeKill = (Date.parse(lastPart.at) - Date.parse(started.at)) / 1000;
    await sleep(1000);
    recording.process.killGroup();
    await recording.process.exited;

    // What the workflow's SalvageRecording step does with a dead recorder's open upload.
    const result = await salvageObject(stage.s3.client, TEST_BUCKET, recording.key);
    expect(result).toMatchObject({ assembled: true, standardMp4: true });
    expect(result?.parts).toBeGreaterThanOrEqual(3);
    const file = await recording.download();
    const facts = await probeMedia(file);
    expect(facts.duration).toBeGreaterThan(uploadedBeforeKill - 3);
    expect(facts.video.codecName).toBe('h264');
    expect(facts.audio.codecName).toBe('aac');
    // The salvage rewrote the fragmented stream as the standard MP4 the recorder would have finished.
    expect(topLevelBoxes(await readFile(file))).toEqual(['ftyp', 'moov', 'mdat']);
    expect(result?.sizeBytes).toBe((await readFile(file)).length);
    const vlc = await playInVlc(file, 'video/mp4');
    expect(reportsLength(vlc, facts.duration), `VLC: ${vlc.lengthSeconds} s`).toBe(true);
    expect(vlc.videoFramesDisplayed).toBeGreaterThan(0);
    expect(await salvageObject(stage.s3.client, TEST_BUCKET, recording.key)).toMatchObject({
      assembled: false,
    });
  });

  it('S3 refusing requests for 10 s: parts are retried and nothing is lost', async () => {
    const recording = stage.record('/meeting', SMALL_PARTS);
    await recording.process.waitFor('recording_started');
    await sleep(2000);
    await stage.s3.outage(10_000);
    await sleep(4000);
    recording.process.child.kill('SIGTERM');
    expect(await recording.process.exited).toBe(0);
    expect(recording.process.events.some((event) => event.event === 'upload_retry')).toBe(true);

    const file = await recording.download();
    const facts = await probeMedia(file);
    expect(Math.abs(facts.duration - recordedWallSeconds(recording.process))).toBeLessThan(1);
    expect((await pictureFacts(file)).longestFreezeSeconds).toBeLessThan(0.5);
  });

  it('a full spool while S3 is away: the recording stops as recorder_failed and keeps everything up to there', async () => {
    const recording = stage.record('/meeting', {
      UPLOAD_PART_BYTES: String(64 * 1024),
      UPLOAD_MEMORY_PARTS: '1',
      UPLOAD_SPOOL_MAX_BYTES: String(256 * 1024),
    });
    const started = await recording.process.waitFor('recording_started');
    await sleep(3000);
    const outage = stage.s3.outage(20_000);
    const failed = await recording.process.waitFor('upload_part_failed', 30_000);
    expect(String(failed['error'])).toMatch(
      /^part \d+ could not be kept: the spool cap of 262144 bytes is reached$/,
    );
    const stopped = await recording.process.waitFor('stop_triggered');
    expect(stopped).toMatchObject({ reason: 'recorder_failed' });
    await outage;
    expect(await recording.process.exited).toBe(0);
    expect(reportOf(recording.process)).toMatchObject({ partial: true, stopReason: 'recorder_failed' });

    // What the spool held went up once S3 was back: the file runs up to the part it could not keep.
    const keptSeconds = (Date.parse(failed.at) - Date.parse(started.at)) / 1000;
    const facts = await probeMedia(await recording.download());
    console.log(
      `spool full after ${keptSeconds.toFixed(1)} s of recording; file ${facts.duration.toFixed(1)} s`,
    );
    expect(facts.duration).toBeGreaterThan(keptSeconds - 4);
    expect(facts.duration).toBeLessThan(keptSeconds + 0.5);
    expect(facts.video.codecName).toBe('h264');
  });
});
