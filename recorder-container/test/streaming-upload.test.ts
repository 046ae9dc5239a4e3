import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputArgs } from '../src/encoder.js';
import { StreamingUpload } from '../src/streaming-upload.js';
import { matroskaLayout, probeMedia, topLevelBoxes } from './support/media-analysis.js';
import { type S3Emulator, startS3Emulator, TEST_BUCKET } from './support/s3-emulator.js';

const run = promisify(execFile);
let s3: S3Emulator;
let scratch: string;
/** An 8 s fragmented MP4 made with the recorder's own codec and container settings. */
let fragmented: Buffer;
/** The same as live Matroska, as the recorder's encoder writes it to a pipe. */
let live: Buffer;

/** 8 s of test picture and tone through the recorder's own codecs and container, as ffmpeg streams it. */
async function recorderStream(format: 'mp4' | 'mkv'): Promise<Buffer> {
  const sources = ['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30', '-f', 'lavfi', '-i', 'sine=f=440:r=48000'];
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', ...sources, '-t', '8', ...outputArgs(format, 'ultrafast'), 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

beforeAll(async () => {
  s3 = await startS3Emulator();
  scratch = await mkdtemp(join(tmpdir(), 'streaming-upload-test-'));
  fragmented = await recorderStream('mp4');
  live = await recorderStream('mkv');
});
afterAll(async () => {
  await s3?.close();
  await rm(scratch, { recursive: true, force: true });
});

let uploads = 0;
/** Streams `data` through a StreamingUpload in 64 KiB chunks and returns the stored object. */
async function upload(data: Buffer, faststart: boolean, client = s3.client, format: 'mp4' | 'mkv' = 'mp4') {
  uploads += 1;
  const key = `streaming-upload/${uploads}.${format}`;
  const streaming = new StreamingUpload({
    s3: client,
    bucket: TEST_BUCKET,
    key,
    contentType: format === 'mp4' ? 'video/mp4' : 'video/x-matroska',
    partBytes: 100 * 1024,
    boxAligned: format === 'mp4',
    faststart: format === 'mp4' && faststart,
    matroskaCues: format === 'mkv' && faststart,
    retryWindowMs: 1000,
  });
  await streaming.begin();
  for (let offset = 0; offset < data.length; offset += 64 * 1024)
    streaming.write(data.subarray(offset, offset + 64 * 1024));
  const sizeBytes = await streaming.finish();
  const stored = await s3.download(key);
  expect(stored.length).toBe(sizeBytes);
  return { stored, parts: streaming.partCount };
}

async function packetsOf(data: Buffer, name: string) {
  const file = join(scratch, name);
  await writeFile(file, data);
  const { stdout } = await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    file,
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'framemd5',
    '-',
  ]);
  return {
    file,
    hashes: stdout
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .map((line) => line.split(',').at(-1)),
  };
}

describe('a streaming upload with faststart', () => {
  it('completes as a standard MP4 (ftyp, moov, mdat) holding every packet of the fragmented stream', async () => {
    const { stored, parts } = await upload(fragmented, true);
    expect(parts).toBeGreaterThan(2);
    expect(topLevelBoxes(fragmented)).toContain('moof');
    expect(fragmented.toString('latin1', 8, 12)).toBe('iso5');
    expect(topLevelBoxes(stored)).toEqual(['ftyp', 'moov', 'mdat']);
    const original = await packetsOf(fragmented, 'original.mp4');
    const standard = await packetsOf(stored, 'standard.mp4');
    expect(standard.hashes).toEqual(original.hashes);
    expect((await probeMedia(standard.file)).duration).toBeCloseTo(
      (await probeMedia(original.file)).duration,
      2,
    );
  });

  it('without it, stores the fragmented stream as produced', async () => {
    const { stored } = await upload(fragmented, false);
    expect(stored.equals(fragmented)).toBe(true);
  });

  it('keeps the fragmented file when the new part 1 is stored but its answer is lost', async () => {
    const client = s3.client;
    const lostAnswers: number[] = [];
    // The request reaches s3rver, which stores the new part 1; the recorder never hears back.
    const id = 'lose-faststart-answer';
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const input = args.input as { PartNumber?: number; Body?: Buffer };
        if (input.PartNumber === 1 && input.Body?.toString('latin1', 8, 12) === 'isom') {
          lostAnswers.push(input.Body.length);
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return result;
      },
      { step: 'initialize', name: id },
    );
    try {
      const { stored } = await upload(fragmented, true, client);
      expect(lostAnswers.length).toBeGreaterThan(0);
      expect(stored.equals(fragmented)).toBe(true);
    } finally {
      client.middlewareStack.remove(id);
    }
  });

  it('stores the stream as produced when the index cannot follow it', async () => {
    // An mdat straight after the moov: whole boxes, so uploaded, but not fragments the index can read.
    const headEnd = fragmented.indexOf('moof', 0, 'latin1') - 4;
    const stray = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('mdat', 'latin1'), Buffer.alloc(8)]);
    const odd = Buffer.concat([fragmented.subarray(0, headEnd), stray, fragmented.subarray(headEnd)]);
    const { stored } = await upload(odd, true);
    expect(stored.equals(odd)).toBe(true);
  });
});

describe('a streaming upload of live Matroska', () => {
  it('completes with the Segment size, a Duration and Cues, holding every packet of the live stream', async () => {
    expect(matroskaLayout(live)).toMatchObject({ segmentSize: undefined, duration: undefined });
    expect(matroskaLayout(live).elements).not.toContain('Cues');
    const { stored, parts } = await upload(live, true, s3.client, 'mkv');
    expect(parts).toBeGreaterThan(2);
    expect(stored.length).toBeGreaterThan(live.length);
    const layout = matroskaLayout(stored);
    expect(layout.segmentSize).toBe(stored.length - layout.segmentDataStart);
    expect(layout.duration).toBeGreaterThan(7.9);
    expect(layout.duration).toBeLessThan(8.1);
    expect(layout.elements.slice(0, 2)).toEqual(['SeekHead', 'Info']);
    expect(layout.elements.at(-1)).toBe('Cues');
    expect(layout.seekTargets).toContain('Cues');
    // The media bytes did not move: everything from the first cluster on is the live stream's.
    expect(matroskaLayout(live).firstClusterAt).toBe(layout.firstClusterAt);
    expect(
      stored.subarray(layout.firstClusterAt, live.length).equals(live.subarray(layout.firstClusterAt)),
    ).toBe(true);
    const original = await packetsOf(live, 'live.mkv');
    const indexed = await packetsOf(stored, 'indexed.mkv');
    expect(indexed.hashes).toEqual(original.hashes);
    expect((await probeMedia(indexed.file)).duration).toBeCloseTo(layout.duration ?? 0, 2);
  });

  it('stores a stream that ends inside a cluster (the encoder died) as produced', async () => {
    const cut = live.subarray(0, live.length - 100);
    const { stored } = await upload(cut, true, s3.client, 'mkv');
    expect(stored.equals(cut)).toBe(true);
  });

  it('stores a stream the index cannot follow as produced', async () => {
    // A level-1 element of unknown size after the Segment's head: legal EBML, nothing to index.
    const segmentData = matroskaLayout(live).segmentDataStart;
    const odd = Buffer.concat([
      live.subarray(0, segmentData),
      Buffer.from([0xec, 0xff]),
      live.subarray(segmentData),
    ]);
    const { stored } = await upload(odd, true, s3.client, 'mkv');
    expect(stored.equals(odd)).toBe(true);
  });

  it('keeps the live head when the new part 1 is stored but its answer is lost', async () => {
    const client = s3.client;
    const lostAnswers: number[] = [];
    const id = 'lose-matroska-head-answer';
    const liveHead = live.subarray(0, 64);
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const input = args.input as { PartNumber?: number; Body?: Buffer };
        if (input.PartNumber === 1 && input.Body && !input.Body.subarray(0, 64).equals(liveHead)) {
          lostAnswers.push(input.Body.length);
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return result;
      },
      { step: 'initialize', name: id },
    );
    try {
      const { stored } = await upload(live, true, client, 'mkv');
      expect(lostAnswers.length).toBeGreaterThan(0);
      expect(stored.subarray(0, live.length).equals(live)).toBe(true);
      expect(matroskaLayout(stored).elements.at(-1)).toBe('Cues');
      const indexed = await packetsOf(stored, 'restored.mkv');
      expect(indexed.hashes).toEqual((await packetsOf(live, 'live-again.mkv')).hashes);
    } finally {
      client.middlewareStack.remove(id);
    }
  });
});
