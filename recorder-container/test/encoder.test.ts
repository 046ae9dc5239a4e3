import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputArgs } from '../src/encoder.js';
import { audioSamples, frameLuma, probeMedia } from './support/media-analysis.js';

const run = promisify(execFile);
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'encoder-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("the recorder's codecs and containers", () => {
  // ffmpeg's AAC encoder puts 1024 samples of priming first, which these files cannot signal, so players
  // play them; the muxer moves the video by as much, so nothing needs making up for.
  it.each(['mp4', 'mkv'] as const)(
    'keep picture and sound that go in together together in a %s file, as players show it',
    async (format) => {
      const file = join(scratch, `flash-and-tone.${format}`);
      // Black, then white from exactly 1 s; silence, then a 1 kHz tone from exactly 1 s.
      await run('ffmpeg', [
        ...[
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          "color=black:s=320x180:r=30,geq=lum='if(gte(T,1),235,16)':cb=128:cr=128",
        ],
        ...['-f', 'lavfi', '-i', 'aevalsrc=if(gte(t\\,1)\\,0.5*sin(2*PI*1000*t)\\,0):s=48000:c=stereo'],
        ...['-t', '2', ...outputArgs(format, 'ultrafast'), file],
      ]);
      const facts = await probeMedia(file);
      const frames = await frameLuma(file);
      const flash = frames.find((frame) => frame.luma > 128)?.time ?? Number.NaN;
      const samples = await audioSamples(file);
      const tone = facts.audio.startTime + samples.findIndex((sample) => Math.abs(sample) > 0.1) / 48_000;
      expect(flash).toBeGreaterThan(1);
      expect(Math.abs(tone - flash) * 1000).toBeLessThan(1);
    },
  );
});
