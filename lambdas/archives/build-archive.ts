import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ZipFile } from 'yazl';
import type { Recording } from '../domain/recording.js';
import { attachmentDisposition } from '../links/content-disposition.js';
import type { RecordingStore } from '../store/recording-store.js';
import { ARCHIVE_RETENTION_SECONDS, type Archive, archiveFileName, entryNames } from './archive.js';
import type { ArchiveStore } from './archive-store.js';

export interface ArchiveBuildDeps {
  readonly archives: ArchiveStore;
  readonly recordings: Pick<RecordingStore, 'get'>;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly clock?: () => Date;
}

export type ArchiveBuildOutcome = 'built' | 'failed' | 'skipped';

/** Parts of the upload: 5 MiB is S3's minimum; four in flight keep the pipe full with 20 MiB buffered. */
const PART_SIZE = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

/**
 * Builds one requested archive: each recording's file streams from S3 through the ZIP writer into a
 * multipart upload, one after another, so memory holds a few parts and never a whole file. Entries are
 * stored, not deflated: the media is compressed already. A recording no longer UPLOADED fails the build
 * for good; an S3 or DynamoDB error is thrown, so that the stream's retry builds it again.
 */
export async function buildArchive(
  requested: Pick<Archive, 'id' | 'generation'>,
  deps: ArchiveBuildDeps,
): Promise<ArchiveBuildOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const archive = await deps.archives.get(requested.id);
  if (archive?.status !== 'PENDING' || archive.generation !== requested.generation) return 'skipped';

  const recordings = await Promise.all(archive.recordingIds.map((id) => deps.recordings.get(id)));
  const unavailable = archive.recordingIds.find((_, index) => {
    const recording = recordings[index];
    return recording?.clientId !== archive.clientId || recording.status !== 'UPLOADED';
  });
  if (unavailable) {
    await deps.archives.markFailed(archive, {
      code: 'recording_unavailable',
      message: `Recording ${unavailable} was deleted or expired before the archive was built.`,
    });
    return 'failed';
  }

  await streamZip(archive, recordings as Recording[], deps);
  const { ContentLength } = await deps.s3.send(
    new HeadObjectCommand({ Bucket: deps.bucket, Key: archive.objectKey }),
  );
  const readyAt = clock();
  const ready = await deps.archives.markReady(archive, {
    sizeBytes: ContentLength ?? 0,
    readyAt: readyAt.toISOString(),
    expiresAt: new Date(readyAt.getTime() + ARCHIVE_RETENTION_SECONDS * 1000).toISOString(),
  });
  return ready ? 'built' : 'skipped';
}

async function streamZip(archive: Archive, recordings: Recording[], deps: ArchiveBuildDeps): Promise<void> {
  const zip = new ZipFile();
  const upload = new Upload({
    client: deps.s3,
    params: {
      Bucket: deps.bucket,
      Key: archive.objectKey,
      Body: zip.outputStream as Readable,
      ContentType: 'application/zip',
      ContentDisposition: attachmentDisposition(archiveFileName(archive)),
    },
    partSize: PART_SIZE,
    queueSize: PARTS_IN_FLIGHT,
  });
  const failed = new Promise<never>((_, reject) => {
    zip.on('error', (error: Error) => {
      zip.outputStream.unpipe();
      reject(error);
    });
  });
  const names = entryNames(recordings);
  recordings.forEach((recording, index) => {
    zip.addReadStreamLazy(
      names[index] as string,
      { compress: false, mtime: new Date(recording.startedAt ?? recording.createdAt) },
      (callback) => {
        deps.s3
          .send(new GetObjectCommand({ Bucket: deps.bucket, Key: recording.objectKey }))
          .then(({ Body }) => callback(null, Body as Readable))
          .catch((error: unknown) => callback(error as Error, undefined as unknown as Readable));
      },
    );
  });
  zip.end();
  try {
    await Promise.race([upload.done(), failed]);
  } catch (error) {
    await upload.abort().catch(() => {});
    throw error;
  }
}
