import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AAC_PRIMING_SECONDS, outputArgs } from '../src/encoder.js';
import { audioSamples, probeMedia } from './support/media-analysis.js';

const run = promisify(execFile);
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'encoder-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the AAC priming the audio feed makes up for', () => {
  it.each(['mp4', 'mkv'] as const)(
    'delays the sound in a %s recording by exactly AAC_PRIMING_SECONDS, with nothing in the file to say so',
    async (format) => {
      const file = join(scratch, `click.${format}`);
      // Silence, then a 1 kHz tone from exactly 1 s, through the recorder's own codecs and container.
      await run('ffmpeg', [
        ...['-v', 'error', '-f', 'lavfi', '-i', 'color=black:s=320x180:r=30'],
        ...['-f', 'lavfi', '-i', 'aevalsrc=if(gte(t\\,1)\\,0.5*sin(2*PI*1000*t)\\,0):s=48000:c=stereo'],
        ...['-t', '2', ...outputArgs(format, 'ultrafast'), file],
      ]);
      const facts = await probeMedia(file);
      expect(facts.audio.startTime).toBe(0);
      const samples = await audioSamples(file);
      const onset = samples.findIndex((sample) => Math.abs(sample) > 0.1) / 48_000;
      expect(onset - 1).toBeCloseTo(AAC_PRIMING_SECONDS, 3);
    },
  );
});
