import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedEmails } from '../../local/demo/ses-mail.js';
import { pollUntil } from '../../local/demo/waiting.js';
import { type LocalMode, startLocalMode } from '../../local/local-mode.js';
import { clientFor, startBody, waitForRecording } from './local-mode.js';

// The synthesized workflow with the real handlers, DynamoDB Local, s3rver and the SES emulator; the
// recorder is scripted (test/support/scripted-recorder.ts) to reach the outcomes a real one rarely does.
let local: LocalMode;
beforeAll(async () => {
  local = await startLocalMode({
    ports: { api: 0, dynamodb: 0, s3: 0, ses: 0, sfn: 0, sqs: 0, demo: 0 },
    dataDir: mkdtempSync(join(tmpdir(), 'meeting-recorder-outcomes-')),
    apiKeys: [{ clientId: 'outcomes', key: 'mrk_e2e_outcomes' }],
    settings: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
    recorderCommand: [
      'node',
      '--import',
      'tsx',
      join(import.meta.dirname, '../support/scripted-recorder.ts'),
    ],
  });
});
afterAll(() => local?.stop());

const scripted = (script: string) => `${local.endpoints.demoMeeting}?script=${script}`;

describe('workflow outcomes with the real handlers', () => {
  it('a duplicate, late success callback changes nothing: one UPLOADED recording, one email', async () => {
    const client = clientFor(local);
    const body = startBody(local, { meetingUrl: scripted('duplicate-callback') });
    const { id } = (await client.request('POST', '/v1/recordings', body)).body as { id: string };
    const uploaded = await waitForRecording(
      client,
      id,
      (recording) => recording.status === 'UPLOADED',
      120_000,
    );
    const email = await pollUntil(
      'waiting for the email',
      async () =>
        (await storedEmails(local.endpoints.ses)).find((mail) =>
          mail.destination.to.includes(body.host.email),
        ),
      { timeoutMs: 60_000 },
    );
    expect(email.subject).toBe('Your recording "E2E meeting" is ready');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const after = (await client.request('GET', `/v1/recordings/${id}`)).body as Record<string, unknown>;
    // The late callback claimed partial: true and 99 s; nothing of it landed.
    expect(after).toMatchObject({
      status: 'UPLOADED',
      partial: false,
      durationSeconds: 1,
      uploadedAt: uploaded.uploadedAt,
    });
    const emails = (await storedEmails(local.endpoints.ses)).filter((mail) =>
      mail.destination.to.includes(body.host.email),
    );
    expect(emails).toHaveLength(1);
  });
});
