import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { webhookEventsFor, webhookHeaders } from '../../lambdas/webhooks/webhook-events.js';
import { newWebhookSecret } from '../../lambdas/webhooks/webhook-settings.js';
import { uploadedRecording } from '../support/recordings.js';

const at = '2026-11-23T10:00:00.000Z';

describe('webhookEventsFor', () => {
  it('emits the contract event for each status change, none for other changes', () => {
    const invoked = uploadedRecording({ status: 'INVOKED' });
    const recording = { ...invoked, status: 'RECORDING' as const };
    const uploading = { ...recording, status: 'UPLOADING' as const };
    const uploaded = { ...uploading, status: 'UPLOADED' as const };
    const types = (before: typeof invoked | undefined, after: typeof invoked | undefined) =>
      webhookEventsFor(before, after, at).map((delivery) => delivery.event.type);
    expect(types(undefined, invoked)).toEqual([]);
    expect(types(invoked, recording)).toEqual(['recording.started']);
    expect(types(recording, uploading)).toEqual(['recording.stopped']);
    expect(types(uploading, uploaded)).toEqual(['recording.uploaded']);
    expect(types(recording, uploaded)).toEqual(['recording.stopped', 'recording.uploaded']);
    expect(types(recording, { ...recording, status: 'ERRORED' })).toEqual(['recording.errored']);
    expect(types(uploaded, { ...uploaded, status: 'DELETED' })).toEqual(['recording.deleted']);
    expect(types(uploaded, { ...uploaded, email: { to: 'a', sentAt: at, linkExpiresAt: at } })).toEqual([]);
  });

  it('emits a warning with the remaining seconds, once per threshold, with a stable id', () => {
    const recording = uploadedRecording({ status: 'RECORDING' });
    const warned = { ...recording, lastWarningSeconds: 300 };
    const [delivery] = webhookEventsFor(recording, warned, at);
    expect(delivery?.event).toMatchObject({ type: 'recording.warning', data: { remainingSeconds: 300 } });
    expect(delivery?.clientId).toBe('acme');
    expect(delivery?.event.data.recording).not.toHaveProperty('clientId');
    expect(webhookEventsFor(recording, warned, '2030-01-01T00:00:00.000Z')[0]?.event.id).toBe(
      delivery?.event.id,
    );
    expect(webhookEventsFor(warned, { ...warned, partial: true }, at)).toEqual([]);
    expect(delivery?.event.id).toMatch(/^evt_[A-Za-z0-9_-]{26}$/);
  });
});

describe('webhookHeaders', () => {
  it('signs the way the Standard Webhooks reference library verifies', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ hello: 'world' });
    const now = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders(secret, 'evt_1', now, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ hello: 'world' });
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});
