import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../lambdas/webhooks/webhook-settings.js';
import { pollUntil } from '../../local/demo/waiting.js';
import type { LocalMode } from '../../local/local-mode.js';
import {
  clientFor,
  startBody,
  startTestLocalMode,
  subscribeWebhooks,
  waitForRecording,
} from './local-mode.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const secret = newWebhookSecret();
let local: LocalMode;
let receiver: WebhookReceiver;

beforeAll(async () => {
  local = await startTestLocalMode({
    apiKeys: [{ clientId: 'hooked-app', key: 'mrk_e2e_hooked' }],
    // The contract's 600/300/60 s warnings, scaled down so that a 40 s recording gets all three.
    recorderEnv: { WARNING_SECONDS: '30,20,10' },
  });
  receiver = await startWebhookReceiver(secret);
  await subscribeWebhooks(local, 'hooked-app', { url: receiver.url, secret });
});
afterAll(async () => {
  await local?.stop();
  await receiver?.stop();
});

describe('a recording that reaches its maximum duration', () => {
  it('stops by itself and tells the client through signed webhooks, warning before the end', async () => {
    const client = clientFor(local);
    const { id } = (
      await client.POST('/v1/recordings', { body: startBody(local, { maxDurationSeconds: 40 }) })
    ).data!;
    const uploaded = await waitForRecording(
      client,
      id,
      (recording) => recording.status === 'UPLOADED',
      300_000,
    );
    expect(uploaded).toMatchObject({ stopReason: 'max_duration', partial: false });

    const types = () =>
      receiver.received.filter((hook) => hook.event.data.recording.id === id).map((hook) => hook.event.type);
    await pollUntil(
      'waiting for recording.uploaded',
      async () => (types().includes('recording.uploaded') ? true : undefined),
      {
        timeoutMs: 60_000,
      },
    );
    expect(new Set(types())).toEqual(
      new Set(['recording.started', 'recording.warning', 'recording.stopped', 'recording.uploaded']),
    );
    const warnings = receiver.received
      .filter((hook) => hook.event.type === 'recording.warning' && hook.event.data.recording.id === id)
      .map((hook) => hook.event.data.remainingSeconds);
    expect(new Set(warnings)).toEqual(new Set([30, 20, 10]));
    expect(receiver.received.every((hook) => hook.signatureValid)).toBe(true);
    expect(receiver.received.every((hook) => /^evt_/.test(String(hook.headers['webhook-id'])))).toBe(true);
  });
});
