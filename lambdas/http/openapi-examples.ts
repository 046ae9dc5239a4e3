import type { ErrorCode } from '../domain/errors.js';

/** The examples of the OpenAPI document; a unit test parses each with the schema it illustrates. */

const RECORDING_ID = 'rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6';

export const START_REQUEST_EXAMPLE = {
  meetingId: 'weekly-sync',
  meetingUrl: 'https://meet.example.com/r/weekly-sync?bot=1',
  host: { email: 'host@example.com', name: 'Ada', userId: 'u-42' },
  meetingTitle: 'Weekly sync',
  maxDurationSeconds: 3600,
};

export const STARTED_RECORDING_EXAMPLE = {
  id: RECORDING_ID,
  meetingId: 'weekly-sync',
  meetingUrl: 'https://meet.example.com/r/weekly-sync?bot=1',
  meetingTitle: 'Weekly sync',
  host: { email: 'host@example.com', name: 'Ada', userId: 'u-42' },
  status: 'INVOKED',
  stopReason: null,
  partial: false,
  maxDurationSeconds: 3600,
  format: 'mp4',
  resolution: '720p',
  createdAt: '2026-11-23T09:41:03.412Z',
  startedAt: null,
  stoppedAt: null,
  uploadedAt: null,
  expiresAt: '2026-12-23T09:41:03.412Z',
  durationSeconds: null,
  file: null,
  email: null,
  continuationOf: null,
  error: null,
  launch: null,
};

const RECORDING_EXAMPLE = {
  ...STARTED_RECORDING_EXAMPLE,
  status: 'RECORDING',
  startedAt: '2026-11-23T09:41:07.123Z',
};

export const UPLOADED_RECORDING_EXAMPLE = {
  ...RECORDING_EXAMPLE,
  status: 'UPLOADED',
  stopReason: 'requested',
  stoppedAt: '2026-11-23T10:38:08.540Z',
  uploadedAt: '2026-11-23T10:38:11.902Z',
  durationSeconds: 3421.4,
  file: {
    name: 'Weekly sync-2026-11-23T09-41-07Z.mp4',
    sizeBytes: 412_884_302,
    contentType: 'video/mp4',
    durationSeconds: 3421.4,
    videoCodec: 'h264',
    audioCodec: 'aac',
    width: 1280,
    height: 720,
  },
  email: {
    to: 'host@example.com',
    sentAt: '2026-11-23T10:38:13.077Z',
    linkExpiresAt: '2026-11-30T10:38:13.077Z',
  },
};

export const STOPPING_RECORDING_EXAMPLE = {
  ...RECORDING_EXAMPLE,
  status: 'UPLOADING',
  stopReason: 'requested',
  stoppedAt: '2026-11-23T10:38:08.540Z',
  durationSeconds: 3421.4,
};

export const LIST_EXAMPLE = {
  items: [UPLOADED_RECORDING_EXAMPLE],
  nextCursor: 'eyJrIjoiMDFKRFg4TThZMVQ1UTZOMFcyWjNDNFY1QjYifQ.c2lnbmF0dXJl',
};

export const BULK_DELETE_REQUEST_EXAMPLE = {
  ids: [RECORDING_ID, 'rec_01JDX9Q2W3E4R5T6Y7U8I9O0PA', 'rec_01JDXA1B2C3D4E5F6G7H8J9K0M'],
};
export const BULK_DELETE_RESULT_EXAMPLE = {
  results: [
    { id: RECORDING_ID, status: 204 },
    { id: 'rec_01JDX9Q2W3E4R5T6Y7U8I9O0PA', status: 404 },
    { id: 'rec_01JDXA1B2C3D4E5F6G7H8J9K0M', status: 409 },
  ],
};
const ARCHIVE_ID = 'arc_7J4Q1V0M6X2C8N5B3T9R0Y1W4Z';
export const ARCHIVE_REQUEST_EXAMPLE = { ids: [RECORDING_ID, 'rec_01JDXA1B2C3D4E5F6G7H8J9K0M'] };
export const PENDING_ARCHIVE_EXAMPLE = {
  id: ARCHIVE_ID,
  status: 'PENDING',
  recordingIds: ARCHIVE_REQUEST_EXAMPLE.ids,
  url: null,
  expiresAt: null,
  sizeBytes: null,
  error: null,
};
export const READY_ARCHIVE_EXAMPLE = {
  ...PENDING_ARCHIVE_EXAMPLE,
  status: 'READY',
  url: 'https://recordings.example.com/v1/links/Zk3-9vQ1xL7mB2nT8pR4cY0sJ6dH5gF1aE3uI7oW2qe',
  expiresAt: '2026-11-23T10:41:07.000Z',
  sizeBytes: 96532410,
};
export const STOP_REQUEST_EXAMPLE = { requestedBy: { userId: 'u-42' } };
export const LINK_REQUEST_EXAMPLE = { expiresInSeconds: 3600 };
export const LINK_EXAMPLE = {
  url: 'https://recordings.example.com/v1/links/3q2-7wX0pL9mZkT4vB8nR1cY6sJ5dH2gF0aE7uI9oQw',
  expiresAt: '2026-11-23T11:38:20.000Z',
  cappedByRetention: false,
};
export const HEALTH_EXAMPLE = { status: 'ok', version: '0.1.0' };
export const GATEWAY_THROTTLED_EXAMPLE = { message: 'Too Many Requests' };

export const WEBHOOK_EVENT_EXAMPLE = {
  type: 'recording.uploaded',
  id: 'evt_9xQ2mL7vT1cR4kB8nZ3wY6pA0s',
  createdAt: '2026-11-23T10:38:11.902Z',
  data: { recording: UPLOADED_RECORDING_EXAMPLE },
};

export const WATCH_PAGE_EXAMPLE =
  '<!doctype html><html lang="en"><head><title>Weekly sync</title></head><body><video controls src="…?download=1"></video></body></html>';

const ERROR_EXAMPLES: Record<ErrorCode, { message: string; details?: unknown[] }> = {
  unauthorized: { message: 'Send your API key as "Authorization: Bearer <key>".' },
  forbidden: { message: 'Only the host of the meeting may stop its recording.' },
  not_found: { message: 'No such recording.' },
  validation_failed: {
    message: 'The request body is not valid.',
    details: [{ field: 'body.host.email', message: 'Invalid email address' }],
  },
  meeting_already_recording: {
    message: 'This meeting already has a recording in progress.',
    details: [{ recordingId: RECORDING_ID }],
  },
  conflict: { message: 'The recording is RECORDING; stop it and wait until it is UPLOADED.' },
  gone: { message: 'This link has expired.' },
  payload_too_large: { message: 'Request bodies are limited to 65536 bytes.' },
  unsupported_media_type: { message: 'Send the body as JSON with "content-type: application/json".' },
  rate_limited: { message: 'Too many live recordings for this client.' },
  internal: { message: 'Something went wrong on our side.' },
  unavailable: { message: 'The service is busy; retry shortly.' },
};

export function errorExample(code: ErrorCode) {
  return { error: { code, ...ERROR_EXAMPLES[code] } };
}
