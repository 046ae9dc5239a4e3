import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createRecordingsClient,
  type Recording,
  type RecordingsClient,
  waitForRecording as waitUntil,
} from '../../client/src/index.js';
import { WebhookSettingsStore } from '../../lambdas/webhooks/webhook-settings.js';
import type { ApiKeySpec } from '../../local/api-keys.js';
import { type StoredEmail, storedEmails } from '../../local/demo/ses-mail.js';
import { pollUntil } from '../../local/demo/waiting.js';
import { type LocalMode, startLocalMode } from '../../local/local-mode.js';
import type { WorkflowFaults } from '../../local/workflow/index.js';

export const FREE_PORTS = { api: 0, dynamodb: 0, s3: 0, ses: 0, sfn: 0, sqs: 0, demo: 0 };

/** A recorder without a browser whose behaviour the meeting URL's `?script=` chooses (test/support). */
export const SCRIPTED_RECORDER = [
  process.execPath,
  '--import',
  'tsx',
  join(import.meta.dirname, '../support/scripted-recorder.ts'),
];

/** Local mode on free ports with fresh data, for one test file; `settings` as a user would set them. */
export async function startTestLocalMode(
  options: {
    apiKeys?: ApiKeySpec[];
    settings?: NodeJS.ProcessEnv;
    waitOverridesMs?: Record<string, number>;
    recorderEnv?: Record<string, string>;
    recorderCommand?: readonly string[];
    retryIntervalOverridesMs?: Record<string, number | number[]>;
    workflowFaults?: WorkflowFaults;
    lifecycleClock?: () => Date;
    /** Every line local mode logs (the recorders' output included); E2E_VERBOSE prints them too. */
    log?: (line: string) => void;
  } = {},
): Promise<LocalMode> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return startLocalMode({
    ports: FREE_PORTS,
    dataDir: mkdtempSync(join(tmpdir(), 'meeting-recorder-e2e-')),
    apiKeys: options.apiKeys ?? [{ clientId: 'e2e', key: `mrk_e2e_${Date.now()}` }],
    // No link reminder unless a test asks: with one, every emailed recording's execution waits for it.
    settings: { POWERTOOLS_LOG_LEVEL: 'ERROR', LINK_REMINDER_SECONDS: '0', ...options.settings },
    ...(options.waitOverridesMs ? { waitOverridesMs: options.waitOverridesMs } : {}),
    ...(options.recorderEnv ? { recorderEnv: options.recorderEnv } : {}),
    ...(options.recorderCommand ? { recorderCommand: options.recorderCommand } : {}),
    ...(options.retryIntervalOverridesMs
      ? { retryIntervalOverridesMs: options.retryIntervalOverridesMs }
      : {}),
    ...(options.workflowFaults ? { workflowFaults: options.workflowFaults } : {}),
    ...(options.lifecycleClock ? { lifecycleClock: options.lifecycleClock } : {}),
    log: (line: string) => {
      options.log?.(line);
      if (process.env.E2E_VERBOSE) console.log(line);
    },
  });
}

/** The typed API client (the client package) with the n-th seeded key. */
export function clientFor(local: LocalMode, index = 0): RecordingsClient {
  const key = local.apiKeys[index];
  if (!key) throw new Error(`no API key #${index}`);
  return createRecordingsClient({ baseUrl: local.endpoints.api, apiKey: key.key });
}

/** Reads the recording until `done` accepts it (the client package's wait, with the tests' pace). */
export function waitForRecording(
  client: RecordingsClient,
  id: string,
  done: (recording: Recording) => boolean,
  timeoutMs = 240_000,
): Promise<Recording> {
  return waitUntil(client, id, done, { timeoutMs, intervalMs: 500 });
}

export function startBody(local: LocalMode, overrides: Record<string, unknown> = {}) {
  return {
    meetingId: `m-${Math.random().toString(36).slice(2, 10)}`,
    meetingUrl: local.endpoints.demoMeeting,
    meetingTitle: 'E2E meeting',
    host: {
      email: `host-${Math.random().toString(36).slice(2, 10)}@example.com`,
      name: 'Ada',
      userId: 'u-42',
    },
    ...overrides,
  };
}

/** The mail the SES emulator holds for `address`, oldest first. */
export async function emailsTo(local: LocalMode, address: string): Promise<StoredEmail[]> {
  return (await storedEmails(local.endpoints.ses)).filter((mail) => mail.destination.to.includes(address));
}

/** Polls the SES emulator until a mail for `address` is there, and returns the first. */
export function waitForEmailTo(local: LocalMode, address: string, timeoutMs = 60_000): Promise<StoredEmail> {
  return pollUntil(`waiting for the email to ${address}`, async () => (await emailsTo(local, address))[0], {
    timeoutMs,
  });
}

/** Gives a client of local mode a webhook URL and signing secret, as `npm run api-key -- webhook` does. */
export async function subscribeWebhooks(
  local: LocalMode,
  clientId: string,
  webhook: { url: string; secret: string },
): Promise<void> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    await new WebhookSettingsStore(documents, local.env.TABLE_NAME!).set(clientId, webhook);
  } finally {
    documents.destroy();
  }
}
