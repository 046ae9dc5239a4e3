import { ulid } from 'ulid';
import { ApiError, notFound } from '../domain/errors.js';
import type { Recording } from '../domain/recording.js';
import type { IssuedLink, ObjectRemover } from '../recordings/recording-service.js';
import type { RecordingStore } from '../store/recording-store.js';
import {
  ARCHIVE_ID_PATTERN,
  ARCHIVE_MAX_BYTES,
  ARCHIVE_URL_SECONDS,
  type Archive,
  type ArchiveView,
  archiveIdFor,
  archiveObjectKey,
  effectiveStatus,
  isExpired,
} from './archive.js';
import type { ArchiveStore } from './archive-store.js';

export interface ArchiveLinkIssuer {
  issueArchive(archive: Archive, expiresInSeconds: number, now: Date): Promise<IssuedLink>;
}

export interface ArchiveRequestResult {
  /** 202 when this request started a build, 200 when it found the same archive already built or building. */
  statusCode: 200 | 202;
  archive: ArchiveView;
}

const TIMED_OUT = {
  code: 'build_failed',
  message: 'The archive could not be built in time; ask for it again.',
} as const;

/** `POST /v1/archives` and `GET /v1/archives/{id}`; the build itself is build-archive.ts, fed by the stream. */
export class ArchiveService {
  constructor(
    private readonly archives: ArchiveStore,
    private readonly recordings: Pick<RecordingStore, 'get'>,
    private readonly links: ArchiveLinkIssuer,
    private readonly objects: ObjectRemover,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async request(clientId: string, ids: readonly string[]): Promise<ArchiveRequestResult> {
    const recordingIds = [...new Set(ids)];
    await this.checkRecordings(clientId, recordingIds);
    const id = archiveIdFor(clientId, recordingIds);
    const existing = await this.archives.get(id);
    if (existing && this.reusable(existing)) return { statusCode: 200, archive: await this.view(existing) };

    const archive: Archive = {
      id,
      clientId,
      recordingIds,
      status: 'PENDING',
      generation: ulid(),
      requestedAt: this.clock().toISOString(),
      objectKey: archiveObjectKey(clientId, id),
      sizeBytes: null,
      readyAt: null,
      expiresAt: null,
      error: null,
    };
    if (await this.archives.request(archive, existing?.generation)) {
      return { statusCode: 202, archive: await this.view(archive) };
    }
    // A concurrent request for the same recordings wrote first: answer with its archive.
    const winner = await this.archives.get(id);
    if (!winner) throw new ApiError('unavailable', 'The archive could not be requested; try again.');
    return { statusCode: 200, archive: await this.view(winner) };
  }

  async get(clientId: string, id: string): Promise<ArchiveView> {
    const archive = ARCHIVE_ID_PATTERN.test(id) ? await this.archives.get(id) : undefined;
    if (!archive || archive.clientId !== clientId || isExpired(archive, this.clock()))
      throw notFound('archive');
    return this.view(archive);
  }

  private reusable(archive: Archive): boolean {
    const now = this.clock();
    return effectiveStatus(archive, now) !== 'FAILED' && !isExpired(archive, now);
  }

  private async checkRecordings(clientId: string, ids: string[]): Promise<void> {
    const recordings = await Promise.all(ids.map((id) => this.recordings.get(id)));
    const missing = ids.filter((_, index) => recordings[index]?.clientId !== clientId);
    if (missing.length > 0) {
      throw new ApiError('not_found', `No such recording: ${missing.join(', ')}.`, [
        ...missing.map((recordingId) => ({ recordingId })),
      ]);
    }
    const found = recordings as Recording[];
    const notUploaded = found.filter((recording) => recording.status !== 'UPLOADED');
    if (notUploaded.length > 0) {
      throw new ApiError(
        'conflict',
        'Only UPLOADED recordings can be archived.',
        notUploaded.map((recording) => ({ recordingId: recording.id, status: recording.status })),
      );
    }
    const totalBytes = found.reduce((sum, recording) => sum + (recording.file?.sizeBytes ?? 0), 0);
    if (totalBytes > ARCHIVE_MAX_BYTES) {
      const message = `hold ${totalBytes} bytes of files; one archive holds at most ${ARCHIVE_MAX_BYTES}`;
      throw new ApiError(
        'validation_failed',
        `The recordings ${message}: split them into several archives.`,
        [{ field: 'body.ids', message }],
      );
    }
  }

  private async view(archive: Archive): Promise<ArchiveView> {
    const now = this.clock();
    const status = effectiveStatus(archive, now);
    const base: ArchiveView = {
      id: archive.id,
      status,
      recordingIds: archive.recordingIds,
      url: null,
      expiresAt: null,
      sizeBytes: archive.sizeBytes,
      error: status === 'FAILED' ? (archive.error ?? TIMED_OUT) : null,
    };
    if (status !== 'READY' || !archive.expiresAt) return base;
    await this.checkStillUploaded(archive);
    const secondsLeft = Math.floor((Date.parse(archive.expiresAt) - now.getTime()) / 1000);
    const link = await this.links.issueArchive(archive, Math.min(ARCHIVE_URL_SECONDS, secondsLeft), now);
    return { ...base, url: link.url, expiresAt: link.expiresAt };
  }

  /** A deleted recording takes the archives that hold it with it: no URL is handed out for them. */
  private async checkStillUploaded(archive: Archive): Promise<void> {
    const recordings = await Promise.all(archive.recordingIds.map((id) => this.recordings.get(id)));
    if (recordings.every((recording) => recording?.status === 'UPLOADED')) return;
    await this.objects.remove(archive.objectKey);
    await this.archives.remove(archive);
    throw new ApiError('gone', 'A recording in this archive was deleted, and the archive with it.');
  }
}
