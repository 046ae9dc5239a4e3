import type { Recording } from '../../lambdas/domain/recording.js';

/** A complete, uploaded recording as stored, for tests of what is built from one. */
export function uploadedRecording(overrides: Partial<Recording> = {}): Recording {
  return {
    id: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6',
    clientId: 'acme',
    meetingId: 'weekly-sync',
    meetingUrl: 'https://meet.example.com/r/weekly-sync',
    meetingTitle: 'Weekly sync',
    host: { email: 'host@example.com', name: 'Ada' },
    status: 'UPLOADED',
    stopReason: 'requested',
    partial: false,
    maxDurationSeconds: 3600,
    format: 'mp4',
    resolution: '720p',
    createdAt: '2026-11-23T09:41:05.000Z',
    startedAt: '2026-11-23T09:41:07.123Z',
    stoppedAt: '2026-11-23T10:38:08.000Z',
    uploadedAt: '2026-11-23T10:38:12.000Z',
    expiresAt: '2026-12-23T09:41:05.000Z',
    durationSeconds: 3421.4,
    file: {
      name: 'Weekly sync-2026-11-23T09-41-05Z.mp4',
      sizeBytes: 123_456_789,
      contentType: 'video/mp4',
      durationSeconds: 3421.4,
      videoCodec: 'h264',
      audioCodec: 'aac',
      width: 1280,
      height: 720,
    },
    email: null,
    continuationOf: null,
    error: null,
    objectKey:
      'recordings/acme/weekly-sync/rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6/Weekly sync-2026-11-23T09-41-05Z.mp4',
    stopRequestedAt: null,
    lastWarningSeconds: null,
    ttl: 0,
    ...overrides,
  };
}
