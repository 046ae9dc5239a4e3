import { createHash } from 'node:crypto';
import type { Recording } from '../domain/recording.js';

/** Every archive lives under this prefix: `archives/<clientId>/<archiveId>.zip`; a lifecycle rule expires it. */
export const ARCHIVES_PREFIX = 'archives/';
/** Recordings per archive (the contract's limit). */
export const ARCHIVE_LIMIT = 50;
/** The most bytes of files one archive holds: the builder streams them well inside its 15 minutes. */
export const ARCHIVE_MAX_BYTES = 10 * 1024 ** 3;
/** How long a built archive can be downloaded; the bucket's lifecycle rule deletes its object after a day. */
export const ARCHIVE_RETENTION_SECONDS = 24 * 3600;
/** How long each URL handed out for a ready archive lives (a fresh one on every GET). */
export const ARCHIVE_URL_SECONDS = 3600;
/** A build not finished by then has failed for good (the builder's timeout times its attempts, and margin). */
export const ARCHIVE_BUILD_DEADLINE_SECONDS = 60 * 60;

export const ARCHIVE_STATUSES = ['PENDING', 'READY', 'FAILED'] as const;
export type ArchiveStatus = (typeof ARCHIVE_STATUSES)[number];

export interface ArchiveError {
  code: 'recording_unavailable' | 'build_failed';
  message: string;
}

export interface Archive {
  id: string;
  clientId: string;
  /** In the order the client asked, without repeats. */
  recordingIds: string[];
  status: ArchiveStatus;
  /** Each request that (re)builds the archive gets a new one; a late builder of an older one writes nothing. */
  generation: string;
  requestedAt: string;
  objectKey: string;
  sizeBytes: number | null;
  readyAt: string | null;
  /** When the archive stops being downloadable (ARCHIVE_RETENTION_SECONDS after it was built). */
  expiresAt: string | null;
  error: ArchiveError | null;
}

export interface ArchiveView {
  id: string;
  status: ArchiveStatus;
  recordingIds: string[];
  url: string | null;
  /** When `url` stops working. */
  expiresAt: string | null;
  sizeBytes: number | null;
  error: ArchiveError | null;
}

// Crockford's base32, as in the recording ids' ULIDs.
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ARCHIVE_ID_PATTERN = /^arc_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * One id per client and set of recordings, whatever their order: asking again for the same files finds
 * the same archive instead of building another.
 */
export function archiveIdFor(clientId: string, recordingIds: readonly string[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([clientId, [...new Set(recordingIds)].sort()]))
    .digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 17)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let index = 0; index < 26; index += 1) id += BASE32[Number((bits >> BigInt(index * 5)) & 31n)];
  return `arc_${id}`;
}

export function archiveObjectKey(clientId: string, archiveId: string): string {
  return `${ARCHIVES_PREFIX}${clientId.replace(/[^A-Za-z0-9._:-]/g, '_')}/${archiveId}.zip`;
}

/** The name a browser saves the archive as. */
export function archiveFileName(archive: Pick<Archive, 'id'>): string {
  return `recordings-${archive.id}.zip`;
}

/**
 * The name of each recording's file inside the ZIP: its download name, made unique with " (2)", " (3)"…
 * before the extension. Download names never hold a path separator or a leading dot, so no entry can
 * point outside the folder it is unpacked into.
 */
export function entryNames(recordings: readonly Pick<Recording, 'id' | 'objectKey' | 'file'>[]): string[] {
  const taken = new Set<string>();
  return recordings.map((recording) => {
    const name = (recording.file?.name ?? recording.objectKey.split('/').pop() ?? recording.id).replace(
      /[\\/]/g,
      '_',
    );
    const dot = name.lastIndexOf('.');
    const [base, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    let candidate = name;
    for (let copy = 2; taken.has(candidate.toLowerCase()); copy += 1)
      candidate = `${base} (${copy})${extension}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/** A PENDING build past its deadline has failed: its builder died and the stream gave up retrying it. */
export function effectiveStatus(archive: Archive, now: Date): ArchiveStatus {
  if (archive.status !== 'PENDING') return archive.status;
  const deadline = Date.parse(archive.requestedAt) + ARCHIVE_BUILD_DEADLINE_SECONDS * 1000;
  return now.getTime() > deadline ? 'FAILED' : 'PENDING';
}

export function isExpired(archive: Archive, now: Date): boolean {
  return archive.expiresAt !== null && Date.parse(archive.expiresAt) <= now.getTime();
}
