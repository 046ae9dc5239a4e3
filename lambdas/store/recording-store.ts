import type { Recording, RecordingStatus } from '../domain/recording.js';

/** The first answer to a POST with an Idempotency-Key, replayed for the same key and body for 24 h. */
export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  /** 0 while the request holding the key is in progress. */
  statusCode: number;
  body: string;
}

export interface ListQuery {
  clientId: string;
  meetingId?: string;
  status?: RecordingStatus;
  limit: number;
  /** The position to continue after, as returned in `ListPage.lastKey`. */
  after?: Record<string, unknown>;
}

export interface ListPage {
  items: Recording[];
  lastKey?: Record<string, unknown>;
}

/** Fields a status change may set besides the status itself. */
export type RecordingPatch = Partial<
  Pick<
    Recording,
    | 'startedAt'
    | 'stoppedAt'
    | 'uploadedAt'
    | 'stopReason'
    | 'partial'
    | 'durationSeconds'
    | 'file'
    | 'email'
    | 'error'
    | 'lastWarningSeconds'
    | 'launch'
    | 'downloadedAt'
    | 'reminderSentAt'
  >
> & { taskArn?: string };

/**
 * Where recordings live. Every status change is conditional on the transition table
 * (ALLOWED_SOURCES), so a duplicate or late event throws IllegalTransitionError and changes nothing.
 */
export interface RecordingStore {
  /**
   * Writes the recording, its meeting lock and (when given) the idempotency record, all or nothing.
   * Throws MeetingAlreadyRecordingError when the meeting has a live recording and
   * IdempotencyKeyInUseError when another request took the key first.
   */
  create(recording: Recording, idempotency?: IdempotencyRecord): Promise<void>;
  /** Undoes `create` when the workflow could not be started. */
  discard(recording: Recording, idempotencyKey?: string): Promise<void>;
  findIdempotencyRecord(clientId: string, key: string): Promise<IdempotencyRecord | undefined>;
  get(id: string): Promise<(Recording & { taskArn?: string }) | undefined>;
  list(query: ListQuery): Promise<ListPage>;
  transition(id: string, to: RecordingStatus, patch?: RecordingPatch): Promise<Recording>;
  /** Marks a stop request once; answers whether this call was the one that asked. */
  requestStop(id: string, at: string): Promise<{ recording: Recording; requested: boolean }>;
  /** Sets fields that are not a status change (e.g. email facts), only while the status is one of `whileIn`. */
  update(id: string, patch: RecordingPatch, whileIn: readonly RecordingStatus[]): Promise<Recording>;
  /** Marks the link reminder sent before it is, once: false when it was, or the recording is not UPLOADED. */
  claimReminder(id: string, at: string): Promise<boolean>;
  /** Undoes the claim of a reminder that could not be sent. */
  releaseReminder(id: string, at: string): Promise<void>;
  /** Holds a key for a request in progress (statusCode 0) for `forSeconds`; false when a record holds it. */
  claimIdempotencyKey(
    clientId: string,
    key: string,
    requestHash: string,
    forSeconds: number,
  ): Promise<boolean>;
  /** Replaces the claim of the same request with its answer, kept for 24 h. */
  completeIdempotencyRecord(clientId: string, record: IdempotencyRecord): Promise<void>;
  /** Frees the claim of a request that did not succeed. */
  releaseIdempotencyKey(clientId: string, key: string, requestHash: string): Promise<void>;
}

export class IdempotencyKeyInUseError extends Error {
  constructor() {
    super('Idempotency key taken by a concurrent request.');
    this.name = 'IdempotencyKeyInUseError';
  }
}
