import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playInChromium } from './support/browser-playback.js';
import {
  audioSamples,
  matroskaLayout,
  pictureFacts,
  probeMedia,
  rmsDbfs,
  topLevelBoxes,
  videoPacketRate,
} from './support/media-analysis.js';
import { recordedWallSeconds, reportOf, type Stage, sleep, startStage } from './support/recording-session.js';
import { playInVlc, reportsLength, TOLERATED_AUDIO_BUFFERS_LOST } from './support/vlc-playback.js';

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
});
afterAll(async () => {
  await stage?.close();
});

describe.each([
  { resolution: '720p', width: 1280, height: 720 },
  { resolution: '1080p', width: 1920, height: 1080 },
])('a 20 s recording at $resolution', ({ resolution, width, height }) => {
  it('is a playable H.264 + AAC file of the wall-clock length, moving and audible from the first second', async () => {
    const recording = stage.record('/meeting', { RESOLUTION: resolution });
    await recording.process.waitFor('recording_started');
    await sleep(20_000);
    recording.process.child.kill('SIGTERM');
    expect(await recording.process.exited).toBe(0);

    const file = await recording.download();
    const facts = await probeMedia(file);
    const wall = recordedWallSeconds(recording.process);
    expect(facts.video).toMatchObject({ codecName: 'h264', width, height, pixFmt: 'yuv420p' });
    expect(facts.audio.codecName).toBe('aac');
    // A standard MP4, as players that read only the moov (QuickTime, Windows, Android galleries) need,
    // with what QuickTime asks of H.264 + AAC: avc1 and mp4a sample entries, AAC-LC, level at most 4.2.
    expect(topLevelBoxes(await readFile(file))).toEqual(['ftyp', 'moov', 'mdat']);
    expect(facts.video).toMatchObject({ codecTag: 'avc1', profile: expect.stringMatching(/^(Main|High)$/) });
    expect(facts.video.level).toBeLessThanOrEqual(42);
    expect(facts.audio).toMatchObject({ codecTag: 'mp4a', profile: 'LC' });
    expect(Math.abs(facts.duration - wall)).toBeLessThan(1);
    expect(await videoPacketRate(file)).toBeGreaterThanOrEqual(29);

    const picture = await pictureFacts(file);
    expect(picture.firstSecondMinLuma).toBeGreaterThan(20);
    // A frozen lead-in shows a handful of changes; Chromium paints up to 30 a second, fewer while it starts.
    expect(picture.firstSecondChanges).toBeGreaterThan(15);
    // Frames that differ from the one before: Chromium's own drawing rate on a loaded 2-core machine.
    expect(picture.changingFps).toBeGreaterThan(25);
    expect(picture.longestFreezeSeconds).toBeLessThan(0.5);
    expect(rmsDbfs(await audioSamples(file))).toBeGreaterThan(-40);

    // A browser reads the real duration from the file, seeks into the middle and plays on from there.
    const playback = await playInChromium(file, 'video/mp4');
    expect(Math.abs(playback.durationSeconds - wall)).toBeLessThan(1);
    expect(playback.videoWidth).toBe(width);
    expect(playback.positionAfterSeekSeconds).toBeGreaterThan(playback.durationSeconds / 2);
    // So does VLC, opening the download link.
    const vlc = await playInVlc(file, 'video/mp4');
    expect(reportsLength(vlc, wall), `VLC: ${vlc.lengthSeconds} s`).toBe(true);
    expect(vlc.timeAfterSeekSeconds).toBeGreaterThanOrEqual(Math.floor(vlc.lengthSeconds / 2));
    expect(vlc.videoFramesLost).toBe(0);
    expect(vlc.audioBuffersLost).toBeLessThanOrEqual(TOLERATED_AUDIO_BUFFERS_LOST);
    expect(vlc.videoFramesDisplayed).toBeGreaterThan(10);
    expect(vlc.audioBuffersPlayed).toBeGreaterThan(10);

    expect(reportOf(recording.process)).toMatchObject({
      objectKey: recording.key,
      partial: true,
      stopReason: 'interrupted',
      file: { videoCodec: 'h264', audioCodec: 'aac', width, height },
      checks: { blackVideo: false, silentAudio: false },
    });
    console.info(
      `${resolution}: wall ${wall} s, file ${facts.duration} s, picture ${JSON.stringify(picture)}`,
    );
  });
});

describe('a recording in Matroska', () => {
  it('is an H.264 + AAC MKV file with its duration and cues, that VLC plays and seeks over HTTP', async () => {
    const recording = stage.record('/meeting', { FORMAT: 'mkv' });
    await recording.process.waitFor('recording_started');
    await sleep(8000);
    recording.process.child.kill('SIGTERM');
    expect(await recording.process.exited).toBe(0);
    const file = await recording.download();
    const facts = await probeMedia(file);
    expect(facts.formatName).toContain('matroska');
    expect(facts.video).toMatchObject({ codecName: 'h264', width: 1280, height: 720 });
    expect(facts.audio.codecName).toBe('aac');
    const report = reportOf(recording.process);
    const wall = recordedWallSeconds(recording.process);
    expect(Math.abs(Number(report['durationSeconds']) - wall)).toBeLessThan(1);
    // The container's own Duration (live Matroska has none), and Cues after the last cluster.
    expect(Math.abs(facts.duration - wall)).toBeLessThan(1);
    expect(matroskaLayout(await readFile(file)).elements.at(-1)).toBe('Cues');
    expect(recording.process.find('matroska_index')).toBeDefined();
    const vlc = await playInVlc(file, 'video/x-matroska');
    expect(reportsLength(vlc, wall), `VLC: ${vlc.lengthSeconds} s`).toBe(true);
    expect(vlc.timeAfterSeekSeconds).toBeGreaterThanOrEqual(Math.floor(vlc.lengthSeconds / 2));
    expect(vlc.videoFramesLost).toBe(0);
    expect(vlc.audioBuffersLost).toBeLessThanOrEqual(TOLERATED_AUDIO_BUFFERS_LOST);
  });
});
