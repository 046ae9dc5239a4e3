import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListPartsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputArgs } from '../src/encoder.js';
import { SpoolFullError } from '../src/part-spool.js';
import { isUnreachable, StreamingUpload, UploadFailedError } from '../src/streaming-upload.js';
import { type HangingProxy, startHangingProxy } from './support/hanging-proxy.js';
import { matroskaLayout, probeMedia, topLevelBoxes } from './support/media-analysis.js';
import { type S3Emulator, startS3Emulator, TEST_BUCKET, TEST_CREDENTIALS } from './support/s3-emulator.js';

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

describe('a streaming upload while S3 is away', () => {
  const WINDOW_MS = 1000;
  let proxy: HangingProxy;
  /** Through a proxy that can stop answering; requests time out after 500 ms of silence. */
  let viaProxy: S3Client;
  beforeAll(async () => {
    proxy = await startHangingProxy(s3.endpoint);
    viaProxy = new S3Client({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
      requestHandler: { connectionTimeout: 500, requestTimeout: 500, throwOnRequestTimeout: true },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    viaProxy?.destroy();
    await proxy?.close();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function spooled(client: S3Client, options: { faststart?: boolean; maxDiskBytes?: number } = {}) {
    uploads += 1;
    const key = `streaming-upload/away-${uploads}.mp4`;
    const directory = join(scratch, `spool-${uploads}`);
    const failures: Error[] = [];
    const streaming = new StreamingUpload({
      s3: client,
      bucket: TEST_BUCKET,
      key,
      contentType: 'video/mp4',
      partBytes: 100 * 1024,
      boxAligned: true,
      faststart: options.faststart ?? false,
      retryWindowMs: WINDOW_MS,
      backoffMaxMs: 300,
      spool: {
        directory,
        memoryParts: 1,
        ...(options.maxDiskBytes ? { maxDiskBytes: options.maxDiskBytes } : {}),
      },
      backlogEveryMs: 100,
      onFailure: (error) => failures.push(error),
    });
    const writeAll = (data: Buffer) => {
      for (let offset = 0; offset < data.length; offset += 64 * 1024)
        streaming.write(data.subarray(offset, offset + 64 * 1024));
    };
    return { key, directory, failures, streaming, writeAll };
  }

  it('not answering (connections hang) for 3× the retry window: parts wait on disk, the object is the whole stream', async () => {
    const { key, directory, failures, streaming, writeAll } = spooled(viaProxy);
    await streaming.begin();
    proxy.hang();
    writeAll(fragmented);
    await sleep(500);
    expect(streaming.backlog.parts).toBeGreaterThan(2);
    expect(streaming.backlog.diskBytes).toBeGreaterThan(0);
    expect(streaming.partCount).toBe(0);
    await sleep(3 * WINDOW_MS);
    proxy.resume();
    const sizeBytes = await streaming.finish();
    const stored = await s3.download(key);
    expect(stored.length).toBe(sizeBytes);
    expect(stored.equals(fragmented)).toBe(true);
    expect(failures).toEqual([]);
    expect(streaming.peakBacklog.oldestWaitingMs).toBeGreaterThan(WINDOW_MS);
    expect(existsSync(directory)).toBe(false);
  });

  it('refusing connections (s3rver stopped) for 3× the retry window: the object is the whole stream', async () => {
    const { key, failures, streaming, writeAll } = spooled(s3.client);
    await streaming.begin();
    const outage = s3.outage(3 * WINDOW_MS);
    writeAll(fragmented);
    await outage;
    await streaming.finish();
    expect((await s3.download(key)).equals(fragmented)).toBe(true);
    expect(failures).toEqual([]);
  });

  it('a full spool stops at the last part it could keep: the object is the stream up to there, and playable', async () => {
    const { key, failures, streaming, writeAll } = spooled(viaProxy, {
      faststart: true,
      maxDiskBytes: 500 * 1024,
    });
    await streaming.begin();
    proxy.hang();
    writeAll(fragmented);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(SpoolFullError);
    const refused = Number(
      /^part (\d+) could not be kept: the spool cap of \d+ bytes is reached$/.exec(
        failures[0]?.message ?? '',
      )?.[1],
    );
    expect(refused).toBeGreaterThanOrEqual(3);
    await sleep(2 * WINDOW_MS);
    proxy.resume();
    const sizeBytes = await streaming.finish();
    expect(streaming.partCount).toBe(refused - 1);
    const stored = await s3.download(key);
    expect(stored.length).toBe(sizeBytes);
    // The fragmented prefix as recorded: no faststart index, which would cover the parts it dropped.
    expect(stored.equals(fragmented.subarray(0, stored.length))).toBe(true);
    // Playable: its packets are the first ones of the whole stream.
    const prefix = (await packetsOf(stored, 'prefix.mp4')).hashes.filter(Boolean);
    const whole = (await packetsOf(fragmented, 'whole.mp4')).hashes.filter(Boolean);
    expect(prefix.length).toBeGreaterThan(0);
    expect(prefix.length).toBeLessThan(whole.length);
    expect(prefix).toEqual(whole.slice(0, prefix.length));
  });

  it('an error S3 answers with for longer than the window fails the upload, keeping the parts sent', async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { PartNumber?: number }).PartNumber === 2)
          throw Object.assign(new Error('Access Denied'), {
            name: 'AccessDenied',
            $metadata: { httpStatusCode: 403 },
          });
        return next(args);
      },
      { step: 'initialize', name: 'refuse-part-2' },
    );
    const { key, failures, streaming, writeAll } = spooled(client);
    await streaming.begin();
    writeAll(fragmented);
    const finished = streaming.finish();
    await expect(finished).rejects.toThrow(UploadFailedError);
    await expect(finished).rejects.toThrow('UploadPart 2 failed: Access Denied');
    expect(failures.map((failure) => failure.message)).toEqual(['UploadPart 2 failed: Access Denied']);
    const { Uploads } = await import('@aws-sdk/client-s3').then(({ ListMultipartUploadsCommand }) =>
      s3.client.send(new ListMultipartUploadsCommand({ Bucket: TEST_BUCKET, Prefix: key })),
    );
    const listed = await s3.client.send(
      new ListPartsCommand({ Bucket: TEST_BUCKET, Key: key, UploadId: Uploads?.[0]?.UploadId }),
    );
    expect(listed.Parts?.map((part) => part.PartNumber)).toEqual([1]);
    client.destroy();
  });
});

describe('which S3 errors mean "S3 is away" (waited for without limit)', () => {
  const answered = (name: string, httpStatusCode: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
  it.each([
    [
      'no answer (timeout, refused, reset)',
      Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }),
      true,
    ],
    ['a 5xx', answered('InternalError', 500), true],
    ['throttling', answered('SlowDown', 503), true],
    ['S3 timing out a stalled body (400 RequestTimeout)', answered('RequestTimeout', 400), true],
    ['access denied', answered('AccessDenied', 403), false],
    ['no such upload', answered('NoSuchUpload', 404), false],
  ])('%s', (_what, error, expected) => {
    expect(isUnreachable(error)).toBe(expected);
  });
});
