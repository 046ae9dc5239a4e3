import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRecordingId } from '../../lambdas/domain/names.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import type { WebhookDelivery } from '../../lambdas/webhooks/webhook-events.js';
import { newWebhookSecret, WebhookSettingsStore } from '../../lambdas/webhooks/webhook-settings.js';
import { type LocalWebhooks, startLocalWebhooks } from '../../local/webhooks/index.js';
import { documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';
import { uniqueClientId } from '../support/table.js';

const RECORDINGS_PER_CLIENT = 6;
/** Per recording: started, stopped, uploaded. */
const EVENTS_PER_RECORDING = 3;

let webhooks: LocalWebhooks;
let healthy: Server;
let blackHole: Server;
/** Held open, never answered: the black hole's requests, by webhook-id. */
const hanging: ServerResponse[] = [];
const blackHoleAttempts = new Map<string, number>();
const healthyReceivedAt = new Map<string, number>();

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
};

beforeAll(async () => {
  healthy = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      if (!healthyReceivedAt.has(id)) healthyReceivedAt.set(id, Date.now());
      response.writeHead(204).end();
    });
  });
  // Accepts the connection and reads the request, then says nothing, ever.
  blackHole = createServer((request, response) => {
    const id = String(request.headers['webhook-id']);
    blackHoleAttempts.set(id, (blackHoleAttempts.get(id) ?? 0) + 1);
    request.resume();
    hanging.push(response);
  });
  Object.assign(process.env, { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' });
  webhooks = await startLocalWebhooks({ tableName: tableName(), port: 0, maxAttempts: 3 });
});

afterAll(async () => {
  await webhooks?.stop();
  for (const server of [healthy, blackHole]) {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
});

describe('webhook delivery isolated per endpoint', () => {
  it('delivers every event of a healthy endpoint within 30 s next to one that never answers', async () => {
    const settings = new WebhookSettingsStore(documents, tableName());
    const store = new DynamoRecordingStore(documents, tableName());
    const healthyClient = uniqueClientId();
    // Two of them: two hanging deliveries in one batch were enough to time the old sequential function out.
    const blackHoleClients = [uniqueClientId(), uniqueClientId()];
    const clients = [blackHoleClients[0]!, healthyClient, blackHoleClients[1]!];
    await settings.set(healthyClient, { url: await listen(healthy), secret: newWebhookSecret() });
    const blackHoleUrl = await listen(blackHole);
    for (const clientId of blackHoleClients)
      await settings.set(clientId, { url: `${blackHoleUrl}/${clientId}`, secret: newWebhookSecret() });

    // The clients' changes interleaved, so their events share stream batches and delivery batches.
    const ids: Record<string, string[]> = Object.fromEntries(clients.map((clientId) => [clientId, []]));
    for (let index = 0; index < RECORDINGS_PER_CLIENT; index += 1) {
      for (const clientId of clients) {
        const id = newRecordingId();
        ids[clientId]!.push(id);
        await store.create(
          uploadedRecording({ id, clientId, meetingId: `isolation-${index}`, status: 'INVOKED' }),
        );
      }
    }
    const changedAt = Date.now();
    for (const to of ['RECORDING', 'UPLOADING', 'UPLOADED'] as const) {
      for (let index = 0; index < RECORDINGS_PER_CLIENT; index += 1) {
        for (const clientId of clients) await store.transition(ids[clientId]![index]!, to);
      }
    }
    const expected = RECORDINGS_PER_CLIENT * EVENTS_PER_RECORDING;

    const deadline = Date.now() + 45_000;
    while (healthyReceivedAt.size < expected && Date.now() < deadline) await sleep(100);
    const latencies = [...healthyReceivedAt.values()]
      .map((at) => (at - changedAt) / 1000)
      .sort((a, b) => a - b);
    console.log(
      `webhook isolation: healthy endpoint received ${healthyReceivedAt.size}/${expected} events; ` +
        `seconds after the last change began: first ${latencies[0]?.toFixed(2)}, ` +
        `median ${latencies[Math.floor(latencies.length / 2)]?.toFixed(2)}, last ${latencies.at(-1)?.toFixed(2)}`,
    );
    expect(healthyReceivedAt.size).toBe(expected);
    expect(latencies.at(-1)).toBeLessThanOrEqual(30);

    // The black hole's events come back after their own backoff (10 s after an 8 s timeout).
    while (blackHoleAttempts.size < 2 * expected || Math.min(...blackHoleAttempts.values()) < 2) {
      if (Date.now() > deadline + 30_000) break;
      await sleep(200);
    }
    console.log(
      `webhook isolation: black hole attempts per event ${[...blackHoleAttempts.values()].sort().join(',')}; ` +
        `dead letters ${webhooks.deadLetters.length}`,
    );
    expect(blackHoleAttempts.size).toBe(2 * expected);
    expect(Math.min(...blackHoleAttempts.values())).toBeGreaterThanOrEqual(2);
    const deadClients = webhooks.deadLetters.map(
      (letter) => (JSON.parse(letter.body) as WebhookDelivery).clientId,
    );
    expect(deadClients.filter((clientId) => !blackHoleClients.includes(clientId))).toEqual([]);
  });
});
