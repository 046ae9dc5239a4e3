/** Errors the API answers with; one place (lambdas/http/error-response.ts) turns them into the contract's body. */

export const ERROR_STATUS = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  validation_failed: 400,
  meeting_already_recording: 409,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly unknown[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what = 'recording'): ApiError => new ApiError('not_found', `No such ${what}.`);

export class MeetingAlreadyRecordingError extends ApiError {
  constructor(readonly activeRecordingId: string) {
    super('meeting_already_recording', 'This meeting already has a recording in progress.', [
      { recordingId: activeRecordingId },
    ]);
  }
}

/** A status write that the transition table refuses: a late or duplicate event. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly recordingId: string,
    readonly to: string,
  ) {
    super(`Recording ${recordingId} cannot move to ${to} from its current status.`);
    this.name = 'IllegalTransitionError';
  }
}
