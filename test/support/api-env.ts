import { LOCAL_CREDENTIALS } from '../../local/emulators/env.js';

/** The handler settings the API tests run with, on top of the emulators' environment. */
export function setApiEnv(overrides: Record<string, string> = {}): void {
  Object.assign(process.env, {
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:recordings',
    ALLOWED_MEETING_ORIGINS: 'meet.example.com,*.example.org',
    ALLOW_LOOPBACK_HTTP: 'false',
    MAX_DURATION_SECONDS: '3600',
    RETENTION_DAYS: '30',
    LINK_MODE: 'presigned',
    CURSOR_SECRET: 'test-cursor-secret',
    SIGNING_SECRET: JSON.stringify(LOCAL_CREDENTIALS),
    SENDER_EMAIL: 'recordings@example.com',
    APP_VERSION: '1.2.3',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...overrides,
  });
}

export function startBody(overrides: Record<string, unknown> = {}) {
  return {
    meetingId: 'weekly-sync',
    meetingUrl: 'https://meet.example.com/r/weekly-sync?bot=1',
    host: { email: 'host@example.com', name: 'Ada', userId: 'u-42' },
    meetingTitle: 'Weekly sync',
    ...overrides,
  };
}

/**
 * The environment of a handler whose DynamoDB client a unit test mocks: region, credentials and quiet
 * Powertools; should the mock ever miss, the call fails on loopback instead of leaving the machine.
 */
export function setMockedDynamoEnv(): void {
  Object.assign(process.env, {
    TABLE_NAME: 'recordings',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
}
