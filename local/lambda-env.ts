import { LOCAL_CREDENTIALS } from './emulators/env.js';

export interface LambdaEnvInput {
  apiUrl: string;
  /** The local Step Functions endpoint (workflow runner). */
  sfnEndpoint: string;
  stateMachineArn: string;
  cursorSecret: string;
  appVersion: string;
  /** The user's environment, for the settings a user may choose (see below). */
  env: NodeJS.ProcessEnv;
}

/**
 * The functions' environment in local mode (docs/internals.md, "Lambda environment"), on top of the
 * emulators' one. A user may set LINK_MODE, LINK_TTL_SECONDS, LINK_REMINDER_SECONDS, ALLOWED_MEETING_ORIGINS,
 * MAX_DURATION_SECONDS, RETENTION_DAYS, SENDER_EMAIL and POWERTOOLS_LOG_LEVEL.
 */
export function localLambdaEnv(input: LambdaEnvInput): Record<string, string> {
  const { env } = input;
  return {
    AWS_ENDPOINT_URL_SFN: input.sfnEndpoint,
    STATE_MACHINE_ARN: input.stateMachineArn,
    ALLOWED_MEETING_ORIGINS: env.ALLOWED_MEETING_ORIGINS ?? '*',
    ALLOW_LOOPBACK_HTTP: 'true',
    MAX_DURATION_SECONDS: env.MAX_DURATION_SECONDS ?? '3600',
    RETENTION_DAYS: env.RETENTION_DAYS ?? '30',
    LINK_MODE: env.LINK_MODE ?? 'presigned',
    LINK_TTL_SECONDS: env.LINK_TTL_SECONDS ?? '604800',
    LINK_REMINDER_SECONDS: env.LINK_REMINDER_SECONDS ?? '86400',
    PUBLIC_API_URL: input.apiUrl,
    CURSOR_SECRET: input.cursorSecret,
    // s3rver accepts its own key pair only; it does not verify SigV4 signatures.
    SIGNING_SECRET: JSON.stringify(LOCAL_CREDENTIALS),
    SIGNING_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    SIGNING_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    SENDER_EMAIL: env.SENDER_EMAIL ?? 'recordings@example.com',
    APP_VERSION: input.appVersion,
    POWERTOOLS_SERVICE_NAME: 'meeting-recorder-local',
    POWERTOOLS_METRICS_NAMESPACE: 'MeetingRecorderLocal',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  };
}
