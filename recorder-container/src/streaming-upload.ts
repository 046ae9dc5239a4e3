import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { isTransientAwsError } from '../../lambdas/aws-errors.js';
import { FragmentIndex } from '../../lambdas/media/progressive-mp4.js';
import { AnyBoundaries, Mp4BoxBoundaries } from './box-boundaries.js';
import { errorMessage, log } from './log.js';
import { MatroskaIndex } from './matroska-index.js';
import { emitMetrics } from './metrics.js';
import { PartSpool, SpoolFullError } from './part-spool.js';
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
  /**
   * How long an error that S3 answers with (4xx) is retried before the upload counts as failed, and how
   * long CreateMultipartUpload is retried at all. An S3 that does not answer (timeouts, refused or reset
   * connections, 5xx, throttling) is waited for without limit: parts wait in the spool meanwhile.
   */
  retryWindowMs?: number;
  /** The longest pause between two attempts. */
  backoffMaxMs?: number;
  /** Where parts wait while S3 cannot take them; by default only in memory. */
  spool?: { directory: string; memoryParts?: number; maxDiskBytes?: number };
  /** How often the backlog is logged (while a part has waited that long) and sent as a metric. */
  backlogEveryMs?: number;
  /** Called once when the upload can no longer keep what is recorded: the recording should stop. */
  onFailure?: (error: Error) => void;
}

/** The faststart rewrite is worth a short wait, not the stop window: the fragmented file plays too. */
const FASTSTART_WINDOW_MS = 20_000;

export class UploadFailedError extends Error {
  override name = 'UploadFailedError';
}

/** No answer at all, or one that says "later": S3 is unreachable or busy, not refusing this request. */
export function isUnreachable(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status === undefined || isTransientAwsError(error);
}

interface Persistence {
  /** Errors S3 answers with are retried this long; see `untilAnswered`. */
  windowMs: number;
  backoffMaxMs: number;
  /** Retry an unreachable S3 without limit (parts, completion) or only within the window (the rest). */
  untilAnswered: boolean;
}

/** Retries an S3 call with backoff until it succeeds or the window closes for the errors it counts. */
async function persist<T>(what: string, rules: Persistence, call: () => Promise<T>): Promise<T> {
  let failingSince: number | undefined;
  let countedSince: number | undefined;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const answer = await call();
      if (failingSince !== undefined)
        log('upload_resumed', { what, attempts: attempt, waitedMs: Date.now() - failingSince });
      return answer;
    } catch (error) {
      failingSince ??= Date.now();
      const waitingForS3 = rules.untilAnswered && isUnreachable(error);
      if (!waitingForS3) {
        countedSince ??= Date.now();
        if (Date.now() - countedSince >= rules.windowMs)
          throw new UploadFailedError(`${what} failed: ${errorMessage(error)}`);
      }
      log('upload_retry', { what, attempt, error: errorMessage(error), waitingForS3 });
      await sleep(Math.min(500 * 2 ** (attempt - 1), rules.backoffMaxMs));
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
  private readonly spool: PartSpool;
  private draining = false;
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private failureReported = false;
  private nextPartNumber = 1;
  private readonly persistence: Persistence;
  private readonly index: FragmentIndex | MatroskaIndex | undefined;
  private indexFailure: string | undefined;
  private firstPart: Buffer | undefined;
  private stopBacklog: (() => void) | undefined;
  uploadedBytes = 0;
  receivedBytes = 0;
  /** The most parts and bytes that waited at once, and the longest wait of a part (ms). */
  readonly peakBacklog = { parts: 0, bytes: 0, diskBytes: 0, oldestWaitingMs: 0 };

  constructor(private readonly options: StreamingUploadOptions) {
    this.boundaries = options.boxAligned ? new Mp4BoxBoundaries() : new AnyBoundaries();
    this.persistence = {
      windowMs: options.retryWindowMs ?? 300_000,
      backoffMaxMs: options.backoffMaxMs ?? 10_000,
      untilAnswered: true,
    };
    this.spool = new PartSpool({
      directory: options.spool?.directory ?? '',
      memoryParts: options.spool ? (options.spool.memoryParts ?? 2) : Number.POSITIVE_INFINITY,
      ...(options.spool?.maxDiskBytes ? { maxDiskBytes: options.spool.maxDiskBytes } : {}),
      onFailure: (error) => this.fail(error),
    });
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

  get backlog() {
    return this.spool.backlog;
  }

  async begin(): Promise<void> {
    const { s3, bucket, key, contentType } = this.options;
    // Nothing is recorded yet: an S3 that does not answer here fails the start, within the window.
    const created = await persist(
      'CreateMultipartUpload',
      { ...this.persistence, untilAnswered: false },
      () => s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType })),
    );
    if (!created.UploadId) throw new UploadFailedError('CreateMultipartUpload returned no UploadId');
    this.uploadId = created.UploadId;
    log('upload_started', { bucket, key, uploadId: this.uploadId });
    this.watchBacklog(this.options.backlogEveryMs ?? 10_000);
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
    if (this.failure) return;
    if (partNumber === 1 && this.index) this.firstPart = body;
    if (this.spool.add(partNumber, body)) this.drain();
  }

  /** Sends the waiting parts in order, one at a time, until none is left. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.queue = (async () => {
      try {
        for (let part = this.spool.head(); part && !this.failure; part = this.spool.head()) {
          const body = await this.spool.read(part);
          if (body) await this.uploadPart(part.partNumber, body);
          await this.spool.release(part);
        }
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.draining = false;
      }
    })();
  }

  /** Once: the recording cannot go on into this upload. Parts already sent stay in S3. */
  private fail(error: Error): void {
    if (this.failureReported) return;
    this.failureReported = true;
    if (!(error instanceof SpoolFullError)) this.failure = error;
    // A spool that dropped a part keeps the ones before it: the index would cover what was dropped.
    this.indexFailure ??= 'the upload lost its end';
    log('upload_part_failed', { error: error.message, backlog: this.spool.backlog });
    this.options.onFailure?.(error);
  }

  private async uploadPart(partNumber: number, body: Buffer): Promise<void> {
    const { s3, bucket, key } = this.options;
    const answer = await persist(`UploadPart ${partNumber}`, this.persistence, () =>
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

  /** `upload_backlog` while a part has waited a whole period, and the backlog metric every period. */
  private watchBacklog(everyMs: number): void {
    const timer = setInterval(() => {
      const backlog = this.spool.backlog;
      this.peakBacklog.parts = Math.max(this.peakBacklog.parts, backlog.parts);
      this.peakBacklog.bytes = Math.max(this.peakBacklog.bytes, backlog.bytes);
      this.peakBacklog.diskBytes = Math.max(this.peakBacklog.diskBytes, backlog.diskBytes);
      this.peakBacklog.oldestWaitingMs = Math.max(this.peakBacklog.oldestWaitingMs, backlog.oldestWaitingMs);
      if (backlog.oldestWaitingMs >= everyMs) log('upload_backlog', { ...backlog });
      emitMetrics({
        UploadBacklogParts: { value: backlog.parts, unit: 'Count' },
        UploadBacklogBytes: { value: backlog.bytes, unit: 'Bytes' },
        UploadBacklogOldestSeconds: { value: backlog.oldestWaitingMs / 1000, unit: 'Seconds' },
      });
    }, everyMs);
    timer.unref();
    this.stopBacklog = () => clearInterval(timer);
  }

  /**
   * Sends the tail (only whole boxes: a fragment cut short by a dying encoder is dropped), waits for
   * every part that waits (S3 may be away for a while), and completes the upload. Returns the
   * object's size; 0 when nothing was recorded (upload aborted). After a spool failure the object is
   * the consecutive parts that could be kept: the recording up to there.
   */
  async finish(): Promise<number> {
    try {
      return await this.complete();
    } finally {
      this.stopBacklog?.();
      await this.spool.close().catch((error) => log('spool_cleanup_failed', { error: errorMessage(error) }));
    }
  }

  private async complete(): Promise<number> {
    const matroska = this.index instanceof MatroskaIndex ? this.finishMatroska(this.index) : undefined;
    if (matroska) this.chunks.push(matroska.cues);
    const end = this.boundaries.completeEnd + (matroska?.cues.length ?? 0);
    if (end > this.bufferedFrom) this.cutPart(end);
    const backlog = this.spool.backlog;
    if (backlog.parts > 1) log('upload_backlog', { ...backlog, finishing: true });
    await this.queue;
    if (this.failure) throw this.failure;
    const { s3, bucket, key } = this.options;
    if (this.parts.length === 0) {
      await this.abort();
      return 0;
    }
    if (matroska && !this.spool.failure) await this.replaceFirstPart(matroska.head, 'matroska_index');
    else await this.makeFaststart();
    const parts = this.parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag }));
    await persist('CompleteMultipartUpload', this.persistence, () =>
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
      first.ETag = await this.sendFirstPart(body, why, {
        ...this.persistence,
        windowMs: Math.min(FASTSTART_WINDOW_MS, this.persistence.windowMs),
        untilAnswered: false,
      });
      this.uploadedBytes += body.length - first.Size;
      first.Size = body.length;
      log(why, { headBytes: body.length - this.firstPart.length, sizeBytes: this.uploadedBytes });
    } catch (error) {
      log(`${why}_failed`, { error: errorMessage(error) });
      first.ETag = await this.sendFirstPart(this.firstPart, 'restore', this.persistence);
    }
  }

  private async sendFirstPart(body: Buffer, why: string, rules: Persistence): Promise<string> {
    const { s3, bucket, key } = this.options;
    const answer = await persist(`UploadPart 1 (${why})`, rules, () =>
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
    this.stopBacklog?.();
    if (!this.uploadId) return;
    const { s3, bucket, key } = this.options;
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: this.uploadId }))
      .catch((error) => log('upload_abort_failed', { error: errorMessage(error) }));
  }
}
