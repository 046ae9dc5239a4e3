import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salvageObject } from '../../lambdas/workflow/salvage.js';
import { Mp4BoxBoundaries } from '../../recorder-container/src/box-boundaries.js';
import { outputArgs } from '../../recorder-container/src/encoder.js';
import { probeMedia, topLevelBoxes } from '../../recorder-container/test/support/media-analysis.js';
import { bucketName, s3 } from '../support/aws.js';

const run = promisify(execFile);
let scratch: string;
/** 12 s of fragmented MP4, as the recorder streams it. */
let fragmented: Buffer;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'salvage-test-'));
  const file = join(scratch, 'fragmented.mp4');
  await run('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30', '-f', 'lavfi', '-i', 'sine=r=48000'],
    ...['-t', '12', ...outputArgs('mp4', 'ultrafast'), file],
  ]);
  fragmented = await readFile(file);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** What a recorder killed mid-recording leaves: an open upload of whole-box parts (the last ones lost). */
async function deadRecorderUpload(data: Buffer, contentType: string, keptParts = 3): Promise<string> {
  const Bucket = bucketName();
  const Key = `recordings/salvage/${randomUUID()}/file`;
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket, Key, ContentType: contentType }),
  );
  const boundaries = new Mp4BoxBoundaries();
  const cuts: number[] = [0];
  for (let offset = 0; offset < data.length; offset += 32 * 1024) {
    const end = boundaries.push(data.subarray(offset, offset + 32 * 1024));
    if (end - (cuts.at(-1) ?? 0) >= 20 * 1024) cuts.push(end);
  }
  if (cuts.length <= keptParts + 1) throw new Error(`only ${cuts.length - 1} parts: nothing would be lost`);
  for (let part = 1; part <= keptParts; part += 1) {
    const Body = data.subarray(cuts[part - 1], cuts[part]);
    await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: part, Body }));
  }
  return Key;
}

async function stored(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucketName(), Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

describe("the salvage of a dead recorder's upload", () => {
  it('completes an MP4 from its parts and rewrites it as a standard MP4 of the same media', async () => {
    const key = await deadRecorderUpload(fragmented, 'video/mp4');
    const salvaged = await salvageObject(s3, bucketName(), key);
    expect(salvaged).toMatchObject({ assembled: true, parts: 3, standardMp4: true });
    const file = await stored(key);
    expect(salvaged?.sizeBytes).toBe(file.length);
    expect(topLevelBoxes(file)).toEqual(['ftyp', 'moov', 'mdat']);
    const path = join(scratch, `${randomUUID()}.mp4`);
    await writeFile(path, file);
    const facts = await probeMedia(path);
    expect(facts.duration).toBeGreaterThan(1);
    expect(facts.duration).toBeLessThan(11);
    expect(facts.video.codecName).toBe('h264');
    // A second run finds the object complete and leaves it alone.
    expect(await salvageObject(s3, bucketName(), key)).toMatchObject({ assembled: false });
    expect((await stored(key)).equals(file)).toBe(true);
  });

  it('keeps the parts joined as they are when they are not a fragmented MP4 the index can read', async () => {
    const junk = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('mdat', 'latin1'), Buffer.alloc(8)]);
    const key = await deadRecorderUpload(Buffer.concat([junk, fragmented]), 'video/mp4');
    const salvaged = await salvageObject(s3, bucketName(), key);
    expect(salvaged).toMatchObject({ assembled: true, standardMp4: false });
    expect(salvaged?.standardMp4Error).toMatch(/mdat/);
    expect(topLevelBoxes(await stored(key))[0]).toBe('mdat');
  });

  it('keeps the fragmented file when S3 fails while the standard one is written', async () => {
    const key = await deadRecorderUpload(fragmented, 'video/mp4');
    const failing = new S3Client({});
    failing.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { PartNumber?: number; UploadId?: string; Body?: unknown };
        if (input.Body !== undefined)
          throw Object.assign(new Error('ServiceUnavailable'), { $retryable: false });
        return next(args);
      },
      { step: 'initialize', name: 'refuse-writes' },
    );
    // The completion of the dead recorder's upload goes through; the rewrite's writes do not.
    const salvaged = await salvageObject(failing, bucketName(), key);
    expect(salvaged).toMatchObject({ assembled: true, standardMp4: false });
    expect(topLevelBoxes(await stored(key))).toContain('moof');
  });

  it('completes a recording that is not an MP4 (Matroska) as it is: live Matroska plays from any whole prefix', async () => {
    const key = await deadRecorderUpload(fragmented, 'video/x-matroska');
    const salvaged = await salvageObject(s3, bucketName(), key);
    expect(salvaged).toMatchObject({ assembled: true });
    expect(salvaged?.standardMp4).toBeUndefined();
  });
});
