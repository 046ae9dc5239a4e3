import { z } from 'zod';
import { ARCHIVE_LIMIT, ARCHIVE_STATUSES } from '../archives/archive.js';
import {
  FORMATS,
  LAUNCH_DELAY_REASONS,
  RECORDING_STATUSES,
  RESOLUTIONS,
  STOP_REASONS,
} from '../domain/recording.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-event-types.js';

/** The request and response shapes of the API contract; the OpenAPI document is generated from these. */

export const MEETING_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const RECORDING_ID_PATTERN = /^rec_[0-9A-HJKMNP-TV-Z]{26}$/;
const MAX_DURATION_CAP_SECONDS = 3600;

const isoTime = z.string().meta({ format: 'date-time', example: '2026-11-23T09:41:07.123Z' });

export const HostSchema = z
  .strictObject({
    email: z.email().max(254),
    name: z.string().min(1).max(200).optional(),
    userId: z.string().min(1).max(128).optional(),
  })
  .meta({ id: 'Host' });

export const StartRecordingRequestSchema = z
  .strictObject({
    meetingId: z.string().regex(MEETING_ID_PATTERN, 'must be 1–128 of A-Z a-z 0-9 . _ : -'),
    meetingUrl: z.string().max(2048),
    host: HostSchema,
    meetingTitle: z.string().min(1).max(200).optional(),
    maxDurationSeconds: z.number().int().min(10).max(MAX_DURATION_CAP_SECONDS).optional(),
    format: z.enum(FORMATS).optional(),
    resolution: z.enum(RESOLUTIONS).optional(),
    continuationOf: z.string().regex(RECORDING_ID_PATTERN, 'must be a recording id').optional(),
  })
  .meta({ id: 'StartRecordingRequest' });
export type StartRecordingRequest = z.infer<typeof StartRecordingRequestSchema>;

export const StopRecordingRequestSchema = z
  .strictObject({
    requestedBy: z.union([
      z.strictObject({ userId: z.string().min(1).max(128) }),
      z.strictObject({ email: z.email().max(254) }),
    ]),
  })
  .partial()
  .meta({ id: 'StopRecordingRequest' });
export type StopRecordingRequest = z.infer<typeof StopRecordingRequestSchema>;

export const CreateLinkRequestSchema = z
  .strictObject({ expiresInSeconds: z.number().int().min(60).max(604800).optional() })
  .meta({ id: 'CreateLinkRequest' });

export const BULK_DELETE_LIMIT = 100;

export const BulkDeleteRequestSchema = z
  .union([
    z.strictObject({ ids: z.array(z.string().min(1).max(64)).min(1).max(BULK_DELETE_LIMIT) }),
    z.strictObject({
      meetingId: z.string().regex(MEETING_ID_PATTERN, 'must be 1–128 of A-Z a-z 0-9 . _ : -'),
    }),
  ])
  .meta({
    id: 'BulkDeleteRequest',
    description: `Up to ${BULK_DELETE_LIMIT} recording ids, or a meeting: its first ${BULK_DELETE_LIMIT} recordings not yet deleted, newest first`,
  });
export type BulkDeleteRequest = z.infer<typeof BulkDeleteRequestSchema>;

export const BulkDeleteResultSchema = z
  .object({
    results: z.array(
      z.object({
        id: z.string(),
        status: z.union([z.literal(204), z.literal(404), z.literal(409)]).meta({
          description:
            'What DELETE /v1/recordings/{id} answers for it: 204 deleted, 404 no such recording, 409 live',
        }),
      }),
    ),
  })
  .meta({ id: 'BulkDeleteResult' });

export const CreateArchiveRequestSchema = z
  .strictObject({
    ids: z.array(z.string().regex(RECORDING_ID_PATTERN, 'must be a recording id')).min(1).max(ARCHIVE_LIMIT),
  })
  .meta({
    id: 'CreateArchiveRequest',
    description: `Up to ${ARCHIVE_LIMIT} UPLOADED recordings of the client; repeats count once, order is kept in the ZIP`,
  });

export const ArchiveSchema = z
  .object({
    id: z.string().meta({ example: 'arc_7J4Q1V0M6X2C8N5B3T9R0Y1W4Z' }),
    status: z.enum(ARCHIVE_STATUSES).meta({
      description: 'PENDING while the ZIP is built, READY when `url` downloads it, FAILED (see `error`)',
    }),
    recordingIds: z.array(z.string()),
    url: z.string().nullable().meta({ description: 'READY only: a fresh URL on every GET' }),
    expiresAt: isoTime.nullable().meta({ description: 'When `url` stops working' }),
    sizeBytes: z.number().int().nullable(),
    error: z
      .object({ code: z.enum(['recording_unavailable', 'build_failed']), message: z.string() })
      .nullable(),
  })
  .meta({ id: 'Archive' });

export const ListRecordingsQuerySchema = z.strictObject({
  meetingId: z.string().regex(MEETING_ID_PATTERN, 'must be 1–128 of A-Z a-z 0-9 . _ : -').optional(),
  status: z.enum(RECORDING_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

export const FileSchema = z
  .object({
    name: z.string(),
    sizeBytes: z.number().int(),
    contentType: z.string(),
    durationSeconds: z.number(),
    videoCodec: z.string().nullable(),
    audioCodec: z.string().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
  })
  .meta({ id: 'File' });

export const RecordingSchema = z
  .object({
    id: z.string().meta({ example: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6' }),
    meetingId: z.string(),
    meetingUrl: z.string(),
    meetingTitle: z.string().nullable(),
    host: HostSchema,
    status: z.enum(RECORDING_STATUSES),
    stopReason: z.enum(STOP_REASONS).nullable(),
    partial: z.boolean(),
    maxDurationSeconds: z.number().int(),
    format: z.enum(FORMATS),
    resolution: z.enum(RESOLUTIONS),
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    stoppedAt: isoTime.nullable(),
    uploadedAt: isoTime.nullable(),
    expiresAt: isoTime,
    durationSeconds: z.number().nullable(),
    file: FileSchema.nullable(),
    email: z.object({ to: z.string(), sentAt: isoTime, linkExpiresAt: isoTime }).nullable(),
    continuationOf: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    launch: z
      .object({
        attempts: z.number().int(),
        reason: z.enum(LAUNCH_DELAY_REASONS),
        message: z.string(),
        since: isoTime,
        nextAttemptAt: isoTime,
      })
      .nullable()
      .meta({
        description:
          'Set once a launch of the recorder failed (no capacity, throttling, a task that stopped before it recorded): the recording waits in INVOKED while the workflow launches it again',
      }),
  })
  .meta({ id: 'Recording' });

export const RecordingListSchema = z
  .object({ items: z.array(RecordingSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'RecordingList' });

export const LinkSchema = z
  .object({
    url: z.string(),
    expiresAt: isoTime,
    cappedByRetention: z.boolean().meta({
      description:
        "true when the link ends earlier than asked, at the recording's expiresAt, when its file is deleted",
    }),
  })
  .meta({ id: 'Link' });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum([
        'unauthorized',
        'forbidden',
        'not_found',
        'validation_failed',
        'meeting_already_recording',
        'conflict',
        'gone',
        'payload_too_large',
        'unsupported_media_type',
        'rate_limited',
        'internal',
        'unavailable',
      ]),
      message: z.string(),
      details: z.array(z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const HealthSchema = z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });

export const GatewayErrorSchema = z.object({ message: z.string() }).meta({
  id: 'GatewayError',
  description:
    "API Gateway's own body, for what it answers before any handler runs: throttling by the stage's rate limit (429)",
});

export const WebhookEventSchema = z
  .object({
    type: z.enum(WEBHOOK_EVENT_TYPES),
    id: z.string().meta({
      description: 'Derived from what happened: a redelivery carries the same id, so deduplicate by it',
      example: 'evt_9xQ2mL7vT1cR4kB8nZ3wY6pA0s',
    }),
    createdAt: isoTime,
    data: z.object({
      recording: RecordingSchema,
      remainingSeconds: z
        .number()
        .int()
        .optional()
        .meta({ description: 'recording.warning only: seconds left before the maximum duration' }),
    }),
  })
  .meta({ id: 'WebhookEvent' });
