import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMode } from '../../local/local-mode.js';
import {
  clientFor,
  emailsTo,
  SCRIPTED_RECORDER,
  startBody,
  startTestLocalMode,
  waitForEmailTo,
  waitForRecording,
} from './local-mode.js';

// The synthesized workflow with the real handlers, DynamoDB Local, s3rver and the SES emulator; the
// recorder is scripted (test/support/scripted-recorder.ts) to reach the outcomes a real one rarely does.
let local: LocalMode;
beforeAll(async () => {
  local = await startTestLocalMode({
    apiKeys: [{ clientId: 'outcomes', key: 'mrk_e2e_outcomes' }],
    recorderCommand: SCRIPTED_RECORDER,
  });
});
afterAll(() => local?.stop());

const scripted = (script: string) => `${local.endpoints.demoMeeting}?script=${script}`;

describe('workflow outcomes with the real handlers', () => {
  it('a duplicate, late success callback changes nothing: one UPLOADED recording, one email', async () => {
    const client = clientFor(local);
    const body = startBody(local, { meetingUrl: scripted('duplicate-callback') });
    const { id } = (await client.POST('/v1/recordings', { body })).data!;
    const uploaded = await waitForRecording(
      client,
      id,
      (recording) => recording.status === 'UPLOADED',
      120_000,
    );
    const email = await waitForEmailTo(local, body.host.email);
    expect(email.subject).toBe('Your recording "E2E meeting" is ready');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const { data: after } = await client.GET('/v1/recordings/{id}', { params: { path: { id } } });
    // The late callback claimed partial: true and 99 s; nothing of it landed.
    expect(after).toMatchObject({
      status: 'UPLOADED',
      partial: false,
      durationSeconds: 1,
      uploadedAt: uploaded.uploadedAt,
    });
    expect(await emailsTo(local, body.host.email)).toHaveLength(1);
  });
});
