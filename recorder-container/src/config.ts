import { z } from 'zod';
import { FORMATS, RESOLUTIONS, WARNING_OFFSETS_SECONDS } from '../../lambdas/domain/recording.js';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1');

const positiveSeconds = (fallback: number) => z.coerce.number().positive().default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const MIB = 1024 * 1024;

export const recorderEnvSchema = z.object({
  RECORDING_ID: z.string().min(1),
  MEETING_URL: z.string().min(1).max(2048),
  OBJECT_KEY: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  TABLE_NAME: optionalText,
  TASK_TOKEN: optionalText,
  MAX_DURATION_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(4 * 3600)
    .default(3600),
  RESOLUTION: z.enum(RESOLUTIONS).default('720p'),
  FORMAT: z.enum(FORMATS).default('mp4'),
  ALLOWED_MEETING_ORIGINS: z.string().default(''),
  ALLOW_LOOPBACK_HTTP: booleanFlag,
  /** Local mode: loopback ports the page may reach besides the meeting URL's own (the demo page's). */
  LOOPBACK_PORTS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map(Number),
    )
    .pipe(z.array(z.number().int().min(1).max(65535))),
  IDLE_TIMEOUT_SECONDS: positiveSeconds(900),
  HEARTBEAT_SECONDS: positiveSeconds(20),
  STOP_POLL_SECONDS: positiveSeconds(2),
  /** Seconds before the maximum duration at which `recording.warning` fires (the contract's 600,300,60). */
  WARNING_SECONDS: z
    .string()
    .default(WARNING_OFFSETS_SECONDS.join(','))
    .transform((list) => list.split(',').map((item) => Number(item.trim())))
    .pipe(z.array(z.number().int().positive()).min(1)),
  /** x264 preset: CPU against bitrate (see README for measured numbers). */
  VIDEO_PRESET: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'])
    .default('veryfast'),
  /** Bytes per uploaded part. S3 refuses parts under 5 MiB (but the last); smaller only against emulators. */
  UPLOAD_PART_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(8 * MIB),
  /** Seconds an S3 connection may take to open, and one S3 request in all, before it is retried. */
  UPLOAD_CONNECT_TIMEOUT_SECONDS: positiveSeconds(5),
  UPLOAD_REQUEST_TIMEOUT_SECONDS: positiveSeconds(30),
  /** Longest pause between two attempts of an S3 request. */
  UPLOAD_BACKOFF_MAX_SECONDS: positiveSeconds(10),
  /**
   * How long an error S3 answers with (4xx) is retried, and CreateMultipartUpload at all, before the
   * upload fails. An S3 that does not answer is waited for as long as the spool holds the parts.
   */
  UPLOAD_RETRY_WINDOW_SECONDS: positiveSeconds(300),
  /** Where parts wait while S3 cannot take them (the task's ephemeral storage); default under the OS temp dir. */
  UPLOAD_SPOOL_DIR: optionalText,
  /** Bytes the spool may hold on disk; 0: until the disk is full. */
  UPLOAD_SPOOL_MAX_BYTES: z.coerce.number().int().min(0).default(0),
  /** Parts held in memory while they wait; later ones go to the spool directory. */
  UPLOAD_MEMORY_PARTS: z.coerce.number().int().min(1).max(64).default(2),
  /** How often the upload backlog is logged (while a part waits that long) and sent as a metric. */
  UPLOAD_BACKLOG_SECONDS: positiveSeconds(10),
  /** Per-request timeout of the DynamoDB and Step Functions calls (status, stop poll, heartbeat, report). */
  CALL_TIMEOUT_SECONDS: positiveSeconds(10),
  /** Seconds a page load may take before it is retried. */
  PAGE_LOAD_TIMEOUT_SECONDS: positiveSeconds(30),
  /** Total seconds to keep retrying the first page load before giving up. */
  PAGE_LOAD_DEADLINE_SECONDS: positiveSeconds(120),
  /** Longest beeping before the meeting to measure the audio path (A/V sync); 0 skips it and assumes a typical one. */
  AV_CALIBRATION_SECONDS: z.coerce.number().min(0).max(30).default(4),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** `true` where unprivileged user namespaces exist; Fargate has none, so the default is off. */
  CHROMIUM_SANDBOX: booleanFlag,
  /** Known task ARN; on ECS it is read from the task metadata endpoint instead. */
  TASK_ARN: optionalText,
  ECS_CONTAINER_METADATA_URI_V4: optionalText,
});

export type RecorderEnv = z.infer<typeof recorderEnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseRecorderEnv(env: NodeJS.ProcessEnv): RecorderEnv {
  const result = recorderEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid recorder environment: ${problems.join('; ')}`);
  }
  return result.data;
}
