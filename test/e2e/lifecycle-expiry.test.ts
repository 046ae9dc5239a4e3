import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../lambdas/webhooks/webhook-settings.js';
import { downloadLink } from '../../local/demo/ses-mail.js';
import { pollUntil } from '../../local/demo/waiting.js';
import type { LocalMode } from '../../local/local-mode.js';
import {
  clientFor,
  startBody,
  startTestLocalMode,
  subscribeWebhooks,
  waitForEmailTo,
  waitForRecording,
} from './local-mode.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const DAY_MS = 86_400_000;
const secret = newWebhookSecret();
let local: LocalMode;
let receiver: WebhookReceiver;
/** How far the lifecycle rule's clock runs ahead of the real one. */
let clockAheadMs = 0;

beforeAll(async () => {
  local = await startTestLocalMode({
    apiKeys: [{ clientId: 'expiring-app', key: 'mrk_e2e_expiring' }],
    // The rule runs only when the test asks, at the time the test chooses.
    settings: { LINK_MODE: 'redirect', RETENTION_DAYS: '8', LIFECYCLE_INTERVAL_SECONDS: '0' },
    lifecycleClock: () => new Date(Date.now() + clockAheadMs),
  });
  receiver = await startWebhookReceiver(secret);
  await subscribeWebhooks(local, 'expiring-app', { url: receiver.url, secret });
});
afterAll(async () => {
  await local?.stop();
  await receiver?.stop();
});

describe('lifecycle expiry in local mode (redirect links)', () => {
  it('deletes the file after the retention, marks the recording DELETED, tells the client, kills the link', async () => {
    const client = clientFor(local);
    const body = startBody(local, { maxDurationSeconds: 10 });
    const { id } = (await client.POST('/v1/recordings', { body })).data!;
    const uploaded = await waitForRecording(client, id, (recording) => recording.status === 'UPLOADED');
    const expiresAt = Date.parse(uploaded.expiresAt);
    expect(expiresAt - Date.parse(uploaded.createdAt)).toBe(8 * DAY_MS);

    const email = await waitForEmailTo(local, body.host.email);
    const link = downloadLink(email)!;
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);

    // An 8-day retention leaves a 7-day link whole.
    const week = await client.POST('/v1/recordings/{id}/links', { params: { path: { id } }, body: {} });
    expect(week.response.status).toBe(201);
    expect(week.data).toMatchObject({ cappedByRetention: false });

    expect(await local.lifecycle.run()).toEqual({ expired: [], undelivered: 0 });
    expect((await client.GET('/v1/recordings/{id}', { params: { path: { id } } })).data?.status).toBe(
      'UPLOADED',
    );

    clockAheadMs = 9 * DAY_MS;
    const run = await local.lifecycle.run();
    expect(run.expired).toHaveLength(1);
    expect(run.expired[0]).toContain(`/${id}/`);
    expect(run.undelivered).toBe(0);

    expect((await client.GET('/v1/recordings/{id}', { params: { path: { id } } })).data?.status).toBe(
      'DELETED',
    );
    const deleted = await pollUntil(
      'waiting for recording.deleted',
      async () =>
        receiver.received.find(
          (hook) => hook.event.type === 'recording.deleted' && hook.event.data.recording.id === id,
        ),
      { timeoutMs: 60_000 },
    );
    expect(deleted.signatureValid).toBe(true);
    expect(deleted.event.data.recording.status).toBe('DELETED');

    expect((await fetch(link, { redirect: 'manual' })).status).toBe(410);
    expect((await fetch(week.data!.url, { redirect: 'manual' })).status).toBe(410);
    const late = await client.POST('/v1/recordings/{id}/links', { params: { path: { id } }, body: {} });
    expect(late.response.status).toBe(409);
    expect(await local.lifecycle.run()).toEqual({ expired: [], undelivered: 0 });
  });
});
