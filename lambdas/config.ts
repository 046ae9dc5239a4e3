import { z } from 'zod';

/**
 * The environment each function reads, validated on first use: a missing or malformed variable is a
 * deployment bug, reported once with the variable's name rather than as a confusing failure later.
 */
const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  STATE_MACHINE_ARN: z.string().min(1),
  ALLOWED_MEETING_ORIGINS: z.string().default(''),
  ALLOW_LOOPBACK_HTTP: z.enum(['true', 'false']).default('false'),
  MAX_DURATION_SECONDS: z.coerce.number().int().min(10).max(3600).default(3600),
  RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  LINK_MODE: z.enum(['presigned', 'redirect']).default('presigned'),
  LINK_TTL_SECONDS: z.coerce.number().int().min(60).max(604800).default(604800),
  /** How long before the emailed link expires the host is reminded; 0 turns reminders off. */
  LINK_REMINDER_SECONDS: z.coerce.number().int().min(0).max(604800).default(86400),
  PUBLIC_API_URL: z.string().url().optional(),
  SENDER_EMAIL: z.string().min(3),
  SES_CONFIGURATION_SET: z.string().optional(),
  APP_VERSION: z.string().default('0.0.0'),
  LAUNCH_RETRY_WINDOW_SECONDS: z.coerce.number().int().min(0).max(3600).default(600),
});
export type Env = z.infer<typeof EnvSchema>;

export function env<K extends keyof Env>(name: K): Env[K] {
  const parsed = EnvSchema.shape[name].safeParse(process.env[name]);
  if (!parsed.success) {
    throw new Error(`Environment variable ${name} is missing or invalid: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data as Env[K];
}
