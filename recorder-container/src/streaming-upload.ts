import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { FragmentIndex } from '../../lambdas/media/progressive-mp4.js';
import { AnyBoundaries, Mp4BoxBoundaries } from './box-boundaries.js';
import { errorMessage, log } from './log.js';
import { MatroskaIndex } from './matroska-index.js';
import { sleep } from './processes.js';

export interface StreamingUploadOptions {
  s3: S3Client;
  bucket: string;
  key: string;
  contentType: string;
  partBytes: number;
  /** MP4 parts end on box boundaries; other formats anywhere. */
  boxAligned: boolean;
  /**
   * MP4 only: at finish, part 1 is sent again with a moov that indexes every sample and an mdat that
   * wraps all the fragments, so the object is a standard (faststart) MP4 without moving its media.
   * Until then, and if that fails, the object is the fragmented MP4.
   */
  faststart?: boolean;
  /**
   * Matroska only: at finish, the Cues go after the last cluster and part 1 is sent again with the
   * Segment's size, a Duration and a SeekHead pointing at the Cues (same length, media untouched).
   * Until then, and if that fails, the object is the live Matroska stream.
   */
  matroskaCues?: boolean;
  /** How long one part (or the completion) is retried before the upload counts as failed. */
  retryWindowMs?: number;
}

/** The faststart rewrite is worth a short wait, not the stop window: the fragmented file plays too. */
const FASTSTART_WINDOW_MS = 20_000;

export class UploadFailedError extends Error {
  override name = 'UploadFailedError';
}

/** Retries an S3 call with backoff until it succeeds or the window closes. */
async function persist<T>(what: string, windowMs: number, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + windowMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() >= deadline) throw new UploadFailedError(`${what} failed: ${errorMessage(error)}`);
      log('upload_retry', { what, attempt, error: errorMessage(error) });
      await sleep(Math.min(500 * 2 ** (attempt - 1), 5000));
    }
  }
}

/**
 * The recording goes to S3 while it is produced: whole boxes are buffered into parts of at least
 * `partBytes` and uploaded in order, so that at stop only the tail remains to be sent.
 */
export class StreamingUpload {
  private uploadId: string | undefined;
  private chunks: Buffer[] = [];
  private bufferedFrom = 0;
  private readonly boundaries: Mp4BoxBoundaries | AnyBoundaries;
  private readonly parts: Array<{ PartNumber: number; ETag: string; Size: number }> = [];
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private nextPartNumber = 1;
  private readonly retryWindowMs: number;
  private readonly index: FragmentIndex | MatroskaIndex | undefined;
  private indexFailure: string | undefined;
  private firstPart: Buffer | undefined;
  uploadedBytes = 0;
  receivedBytes = 0;

  constructor(private readonly options: StreamingUploadOptions) {
    this.boundaries = options.boxAligned ? new Mp4BoxBoundaries() : new AnyBoundaries();
    this.retryWindowMs = options.retryWindowMs ?? 300_000;
    this.index =
      options.boxAligned && options.faststart
        ? new FragmentIndex()
        : !options.boxAligned && options.matroskaCues
          ? new MatroskaIndex()
          : undefined;
  }

  get partCount(): number {
    return this.parts.length;
  }

  async begin(): Promise<void> {
    const { s3, bucket, key, contentType } = this.options;
    const created = await persist('CreateMultipartUpload', this.retryWindowMs, () =>
      s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType })),
    );
    if (!created.UploadId) throw new UploadFailedError('CreateMultipartUpload returned no UploadId');
    this.uploadId = created.UploadId;
    log('upload_started', { bucket, key, uploadId: this.uploadId });
  }

  write(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.receivedBytes += chunk.length;
    this.indexing(chunk);
    const completeEnd = this.boundaries.push(chunk);
    if (completeEnd - this.bufferedFrom >= this.options.partBytes) this.cutPart(completeEnd);
  }

  private cutPart(end: number): void {
    const buffered = Buffer.concat(this.chunks);
    const length = end - this.bufferedFrom;
    const body = buffered.subarray(0, length);
    this.chunks = length < buffered.length ? [buffered.subarray(length)] : [];
    this.bufferedFrom = end;
    const partNumber = this.nextPartNumber;
    this.nextPartNumber += 1;
    if (partNumber === 1 && this.index) this.firstPart = body;
    this.queue = this.queue.then(async () => {
      if (this.failure) return;
      try {
        await this.uploadPart(partNumber, body);
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        log('upload_part_failed', { partNumber, error: this.failure.message });
      }
    });
  }

  private async uploadPart(partNumber: number, body: Buffer): Promise<void> {
    const { s3, bucket, key } = this.options;
    const answer = await persist(`UploadPart ${partNumber}`, this.retryWindowMs, () =>
      s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: this.uploadId,
          PartNumber: partNumber,
          Body: body,
        }),
      ),
    );
    this.parts.push({ PartNumber: partNumber, ETag: answer.ETag ?? '', Size: body.length });
    this.uploadedBytes += body.length;
    log('upload_part', { partNumber, bytes: body.length, uploadedBytes: this.uploadedBytes });
  }

  /**
   * Sends the tail (only whole boxes: a fragment cut short by a dying encoder is dropped) and
   * completes the upload. Returns the object's size; 0 when nothing was recorded (upload aborted).
   */
  async finish(): Promise<number> {
    const matroska = this.index instanceof MatroskaIndex ? this.finishMatroska(this.index) : undefined;
    if (matroska) this.chunks.push(matroska.cues);
    const end = this.boundaries.completeEnd + (matroska?.cues.length ?? 0);
    if (end > this.bufferedFrom) this.cutPart(end);
    await this.queue;
    if (this.failure) throw this.failure;
    const { s3, bucket, key } = this.options;
    if (this.parts.length === 0) {
      await this.abort();
      return 0;
    }
    if (matroska) await this.replaceFirstPart(matroska.head, 'matroska_index');
    else await this.makeFaststart();
    const parts = this.parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag }));
    await persist('CompleteMultipartUpload', this.retryWindowMs, () =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: this.uploadId,
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
    log('upload_completed', { key, parts: parts.length, sizeBytes: this.uploadedBytes });
    return this.uploadedBytes;
  }

  /** A malformed stream stops the indexing, never the recording. */
  private indexing(chunk: Buffer): void {
    if (!this.index || this.indexFailure) return;
    try {
      this.index.push(chunk);
    } catch (error) {
      this.indexFailure = errorMessage(error);
      log('faststart_index_failed', { error: this.indexFailure });
    }
  }

  /** The Matroska head and Cues for a stream that ended on a whole element; undefined otherwise. */
  private finishMatroska(index: MatroskaIndex): { head: Buffer; cues: Buffer } | undefined {
    if (this.indexFailure) return undefined;
    try {
      return index.finish();
    } catch (error) {
      log('matroska_index_failed', { error: errorMessage(error) });
      return undefined;
    }
  }

  private async makeFaststart(): Promise<void> {
    if (!(this.index instanceof FragmentIndex) || this.indexFailure || !this.firstPart) return;
    let head: Buffer;
    try {
      head = this.index.progressiveHead(this.uploadedBytes);
    } catch (error) {
      log('faststart_failed', { error: errorMessage(error) });
      return;
    }
    await this.replaceFirstPart(head, 'faststart');
  }

  /**
   * Sends part 1 again with `head` in place of the index's head bytes. If that fails, part 1 stays
   * as it was: an answer lost on the way may have left the new part 1 in S3, so the original goes
   * again, and the ETag the upload completes with is the one S3 holds.
   */
  private async replaceFirstPart(head: Buffer, why: string): Promise<void> {
    const first = this.parts.find((part) => part.PartNumber === 1);
    if (!this.index || !this.firstPart || !first || this.firstPart.length < this.index.headLength) return;
    const body = Buffer.concat([head, this.firstPart.subarray(this.index.headLength)]);
    try {
      first.ETag = await this.sendFirstPart(body, why, Math.min(FASTSTART_WINDOW_MS, this.retryWindowMs));
      this.uploadedBytes += body.length - first.Size;
      first.Size = body.length;
      log(why, { headBytes: body.length - this.firstPart.length, sizeBytes: this.uploadedBytes });
    } catch (error) {
      log(`${why}_failed`, { error: errorMessage(error) });
      first.ETag = await this.sendFirstPart(this.firstPart, 'restore', this.retryWindowMs);
    }
  }

  private async sendFirstPart(body: Buffer, why: string, windowMs: number): Promise<string> {
    const { s3, bucket, key } = this.options;
    const answer = await persist(`UploadPart 1 (${why})`, windowMs, () =>
      s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: this.uploadId,
          PartNumber: 1,
          Body: body,
        }),
      ),
    );
    return answer.ETag ?? '';
  }

  async abort(): Promise<void> {
    if (!this.uploadId) return;
    const { s3, bucket, key } = this.options;
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: this.uploadId }))
      .catch((error) => log('upload_abort_failed', { error: errorMessage(error) }));
  }
}
