/**
 * The recording model and its legal state transitions. Pure: no AWS, no I/O.
 * Shared by the Lambda handlers, the workflow steps and the recorder program.
 */
import { publicRecordingError } from './recording-errors.js';

export const RECORDING_STATUSES = [
  'INVOKED',
  'RECORDING',
  'UPLOADING',
  'UPLOADED',
  'ERRORED',
  'DELETED',
] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/** States in which a recording holds its meeting's lock: at most one per meeting. */
export const LIVE_STATUSES = [
  'INVOKED',
  'RECORDING',
  'UPLOADING',
] as const satisfies readonly RecordingStatus[];

export const STOP_REASONS = [
  'requested',
  'max_duration',
  'meeting_ended',
  'idle',
  'interrupted',
  'recorder_failed',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export const FORMATS = ['mp4', 'mkv'] as const;
export type RecordingFormat = (typeof FORMATS)[number];
export const RESOLUTIONS = ['720p', '1080p'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const RESOLUTION_SIZE: Record<Resolution, { width: number; height: number }> = {
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
};

export const CONTENT_TYPES: Record<RecordingFormat, string> = {
  mp4: 'video/mp4',
  mkv: 'video/x-matroska',
};

/** Seconds before the maximum duration at which `recording.warning` fires. */
export const WARNING_OFFSETS_SECONDS = [600, 300, 60] as const;

/**
 * For each target status, the statuses it may be reached from. Every status write is a
 * conditional update on this table, so duplicate or late events change nothing.
 */
export const ALLOWED_SOURCES: Record<RecordingStatus, readonly RecordingStatus[]> = {
  INVOKED: [],
  RECORDING: ['INVOKED'],
  UPLOADING: ['INVOKED', 'RECORDING'],
  UPLOADED: ['UPLOADING', 'RECORDING'],
  ERRORED: ['INVOKED', 'RECORDING', 'UPLOADING'],
  DELETED: ['UPLOADED', 'ERRORED'],
};

export function isLive(status: RecordingStatus): boolean {
  return (LIVE_STATUSES as readonly RecordingStatus[]).includes(status);
}

export function canTransition(from: RecordingStatus, to: RecordingStatus): boolean {
  return ALLOWED_SOURCES[to].includes(from);
}

export interface HostInfo {
  email: string;
  name?: string;
  userId?: string;
}

export interface FileFacts {
  name: string;
  sizeBytes: number;
  contentType: string;
  durationSeconds: number;
  videoCodec: string | null;
  audioCodec: string | null;
  width: number | null;
  height: number | null;
}

export interface EmailFacts {
  to: string;
  sentAt: string;
  linkExpiresAt: string;
}

export interface RecordingError {
  code: string;
  message: string;
}

/** Why the recorder has not started yet while the workflow launches it again. */
export const LAUNCH_DELAY_REASONS = ['capacity', 'throttled', 'task_stopped', 'service_error'] as const;
export type LaunchDelayReason = (typeof LAUNCH_DELAY_REASONS)[number];

/** Set while an INVOKED recording waits for another launch attempt of its recorder. */
export interface LaunchDelay {
  /** Launch attempts that failed so far. */
  attempts: number;
  reason: LaunchDelayReason;
  /** What the last failure said, without ARNs, account ids or addresses. */
  message: string;
  /** When the first launch attempt failed. */
  since: string;
  nextAttemptAt: string;
}

/** The public recording object of the API contract. */
export interface RecordingView {
  id: string;
  meetingId: string;
  meetingUrl: string;
  meetingTitle: string | null;
  host: HostInfo;
  status: RecordingStatus;
  stopReason: StopReason | null;
  partial: boolean;
  maxDurationSeconds: number;
  format: RecordingFormat;
  resolution: Resolution;
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  uploadedAt: string | null;
  expiresAt: string;
  durationSeconds: number | null;
  file: FileFacts | null;
  email: EmailFacts | null;
  continuationOf: string | null;
  error: RecordingError | null;
  /** Why the recorder is not running yet (null when its launch never failed). */
  launch: LaunchDelay | null;
}

/** The stored recording: the public object plus what only the service sees. */
export interface Recording extends Omit<RecordingView, 'launch'> {
  /** Absent until a launch attempt fails. */
  launch?: LaunchDelay | null;
  clientId: string;
  /** S3 key of the file: recordings/<clientId>/<meetingId>/<recordingId>/<file name>. */
  objectKey: string;
  /** Set by the stop route; the recorder polls for it and finalises. */
  stopRequestedAt: string | null;
  /** Smallest warning offset (seconds before the limit) already announced, for `recording.warning`. */
  lastWarningSeconds: number | null;
  /** Epoch seconds after which DynamoDB's TTL removes the item (retention + a margin). */
  ttl: number;
  /** When the emailed link first downloaded the file (redirect mode only: a presigned link is not seen). */
  downloadedAt?: string | null;
  /** When the host was reminded that the emailed link expires. */
  reminderSentAt?: string | null;
}

/**
 * The fields of the public object, an allow-list: whatever else the stored item carries (clientId,
 * objectKey, taskArn, anything added later) never reaches a client or a webhook.
 */
export const VIEW_FIELDS = [
  'id',
  'meetingId',
  'meetingUrl',
  'meetingTitle',
  'host',
  'status',
  'stopReason',
  'partial',
  'maxDurationSeconds',
  'format',
  'resolution',
  'createdAt',
  'startedAt',
  'stoppedAt',
  'uploadedAt',
  'expiresAt',
  'durationSeconds',
  'file',
  'email',
  'continuationOf',
  'error',
  'launch',
] as const satisfies readonly (keyof RecordingView)[];

const HOST_FIELDS = ['email', 'name', 'userId'] as const satisfies readonly (keyof HostInfo)[];
const FILE_FIELDS = [
  'name',
  'sizeBytes',
  'contentType',
  'durationSeconds',
  'videoCodec',
  'audioCodec',
  'width',
  'height',
] as const satisfies readonly (keyof FileFacts)[];
const EMAIL_FIELDS = ['to', 'sentAt', 'linkExpiresAt'] as const satisfies readonly (keyof EmailFacts)[];
const LAUNCH_FIELDS = [
  'attempts',
  'reason',
  'message',
  'since',
  'nextAttemptAt',
] as const satisfies readonly (keyof LaunchDelay)[];

function pick<T extends object, K extends keyof T>(source: T, fields: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const field of fields) if (source[field] !== undefined) picked[field] = source[field];
  return picked;
}

export function toView(recording: Recording): RecordingView {
  return {
    ...pick(recording, VIEW_FIELDS),
    host: pick(recording.host, HOST_FIELDS),
    file: recording.file ? pick(recording.file, FILE_FIELDS) : null,
    email: recording.email ? pick(recording.email, EMAIL_FIELDS) : null,
    error: recording.error ? publicRecordingError(recording.error) : null,
    launch: recording.launch ? pick(recording.launch, LAUNCH_FIELDS) : null,
  };
}
