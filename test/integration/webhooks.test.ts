import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { newWebhookSecret, WebhookSettingsStore } from '../../lambdas/webhooks/webhook-settings.js';
import { type LocalWebhooks, startLocalWebhooks } from '../../local/webhooks/index.js';
import { documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';
import { uniqueClientId } from '../support/table.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** The receiver refuses the first delivery of each event id, so every event is retried once. */
const refusedOnce = new Set<string>();
let webhooks: LocalWebhooks;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      if (!refusedOnce.has(id)) {
        refusedOnce.add(id);
        response.writeHead(503).end();
        return;
      }
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  Object.assign(process.env, { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' });
  // The deployed pipeline, run locally: the table's stream into webhook-stream, its queue into webhook-deliver.
  webhooks = await startLocalWebhooks({ tableName: tableName(), port: 0, maxAttempts: 3 });
});

afterAll(async () => {
  await webhooks?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function waitFor<T>(check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}

describe('webhooks from the table stream', () => {
  it('delivers every state change and warning, signed, retried after a failure, with stable ids', async () => {
    const clientId = uniqueClientId();
    const secret = newWebhookSecret();
    await new WebhookSettingsStore(documents, tableName()).set(clientId, { url: receiverUrl, secret });
    const store = new DynamoRecordingStore(documents, tableName());
    const recording = uploadedRecording({
      id: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4WEBH',
      clientId,
      meetingId: `hooks-${clientId}`,
      status: 'INVOKED',
    });
    await store.create(recording);
    await store.transition(recording.id, 'RECORDING', { startedAt: new Date().toISOString() });
    for (const seconds of [600, 300, 60])
      await store.update(recording.id, { lastWarningSeconds: seconds }, ['RECORDING']);
    await store.transition(recording.id, 'UPLOADING', { stopReason: 'max_duration' });
    await store.transition(recording.id, 'UPLOADED');
    await store.transition(recording.id, 'DELETED');

    const expected = [
      'recording.started',
      'recording.warning',
      'recording.warning',
      'recording.warning',
      'recording.stopped',
      'recording.uploaded',
      'recording.deleted',
    ];
    const mine = () => received.filter((delivery) => delivery.body.includes(recording.id));
    // Each event is refused once and redelivered after webhook-deliver's first backoff (10 s).
    await waitFor(() => (mine().length >= expected.length ? true : undefined), 60_000);
    const verifier = new Webhook(secret);
    const events = mine().map(
      (delivery) =>
        verifier.verify(delivery.body, delivery.headers as Record<string, string>) as {
          type: string;
          id: string;
          data: { remainingSeconds?: number; recording: { status: string } };
        },
    );
    expect(events.map((event) => event.type).sort()).toEqual([...expected].sort());
    expect(
      events
        .filter((event) => event.type === 'recording.warning')
        .map((event) => event.data.remainingSeconds)
        .sort(),
    ).toEqual([300, 60, 600].sort());
    expect(new Set(events.map((event) => event.id)).size).toBe(expected.length);
    for (const event of events) expect(refusedOnce.has(event.id)).toBe(true);
  });

  it('sends nothing for a client without a webhook', async () => {
    const store = new DynamoRecordingStore(documents, tableName());
    const recording = uploadedRecording({
      id: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4NONE',
      clientId: uniqueClientId(),
      meetingId: 'no-hooks',
      status: 'INVOKED',
    });
    await store.create(recording);
    await store.transition(recording.id, 'RECORDING');
    await sleep(1500);
    expect(received.some((delivery) => delivery.body.includes(recording.id))).toBe(false);
  });
});
