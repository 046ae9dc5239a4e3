import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { setApiEnv, startBody } from '../support/api-env.js';
import { createApiKey } from '../support/api-keys.js';
import { bucketName, documents, s3, tableName } from '../support/aws.js';
import { invokeApi } from '../support/invoke-api.js';
import { uniqueClientId } from '../support/table.js';

setApiEnv();
mockClient(SFNClient).on(StartExecutionCommand).resolves({});
const store = new DynamoRecordingStore(documents, tableName());
let key: string;

beforeAll(async () => {
  key = (await createApiKey({ clientId: uniqueClientId() })).key;
});

let meetings = 0;
async function started(): Promise<string> {
  const answer = await invokeApi('POST', '/v1/recordings', {
    key,
    body: startBody({ meetingId: `idem-${++meetings}` }),
  });
  return answer.body.id as string;
}

async function uploaded(id: string): Promise<void> {
  const stored = await store.get(id);
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: stored!.objectKey, Body: 'video' }));
  await store.transition(id, 'RECORDING');
  await store.transition(id, 'UPLOADED');
}

const post = (path: string, body: unknown, idempotencyKey?: string) =>
  invokeApi('POST', path, {
    key,
    body,
    ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
  });

describe('Idempotency-Key on every POST route', () => {
  it('stop: a repeat answers the first 202 again, where a new stop would answer 200', async () => {
    const id = await started();
    await store.transition(id, 'RECORDING');
    const body = { requestedBy: { userId: 'u-42' } };
    const first = await post(`/v1/recordings/${id}/stop`, body, 'stop-1');
    expect(first.status).toBe(202);
    const again = await post(`/v1/recordings/${id}/stop`, body, 'stop-1');
    expect(again).toMatchObject({ status: 202, body: first.body });
    expect((await post(`/v1/recordings/${id}/stop`, body)).status).toBe(200);
  });

  it('links: a repeat answers the same link; another body, recording or route with the key answers 409', async () => {
    const id = await started();
    await uploaded(id);
    const first = await post(`/v1/recordings/${id}/links`, { expiresInSeconds: 3600 }, 'link-1');
    expect(first.status).toBe(201);
    const again = await post(`/v1/recordings/${id}/links`, { expiresInSeconds: 3600 }, 'link-1');
    expect(again).toMatchObject({ status: 201, body: first.body });
    // The answer is kept sealed: a copy of the table gives no working link.
    const clientId = (await store.get(id))!.clientId;
    const kept = await store.findIdempotencyRecord(clientId, 'link-1');
    expect(kept?.statusCode).toBe(201);
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: tableName() }));
    expect(JSON.stringify(Items)).not.toContain(new URL(first.body.url).searchParams.get('X-Amz-Signature'));

    const other = await started();
    await uploaded(other);
    for (const [path, body] of [
      [`/v1/recordings/${id}/links`, { expiresInSeconds: 60 }],
      [`/v1/recordings/${other}/links`, { expiresInSeconds: 3600 }],
      [`/v1/recordings/${id}/stop`, {}],
      ['/v1/recordings', startBody({ meetingId: 'idem-reused' })],
    ] as const) {
      const reused = await post(path, body, 'link-1');
      expect(reused.status, path).toBe(409);
      expect(reused.body.error.code).toBe('conflict');
    }
  });

  it('lets only one of two concurrent twins do the work; the other answers the same, or 409 while it runs', async () => {
    const id = await started();
    await uploaded(id);
    const twins = await Promise.all(
      [1, 2].map(() => post(`/v1/recordings/${id}/links`, { expiresInSeconds: 600 }, 'link-twins')),
    );
    const statuses = twins.map((twin) => twin.status).sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    const created = twins.filter((twin) => twin.status === 201);
    for (const twin of created) expect(twin.body).toEqual(created[0]!.body);
    const waiting = twins.find((twin) => twin.status === 409);
    if (waiting) expect(waiting.body.error.message).toMatch(/still in progress/);
  });

  it('keeps no error answer: a link refused before the upload is issued once the recording is UPLOADED', async () => {
    const id = await started();
    const early = await post(`/v1/recordings/${id}/links`, {}, 'link-early');
    expect(early.status).toBe(409);
    await uploaded(id);
    const later = await post(`/v1/recordings/${id}/links`, {}, 'link-early');
    expect(later.status).toBe(201);
  });

  it('bulk delete: a repeat answers the first outcomes; a start key cannot be reused on it', async () => {
    const id = await started();
    await uploaded(id);
    const first = await post('/v1/recordings/bulk-delete', { ids: [id] }, 'bulk-1');
    expect(first.body.results).toEqual([{ id, status: 204 }]);
    // Deleted since, the recording would answer 204 either way: what shows the replay is that the kept answer
    // holds for an id that is now gone from the table too.
    const clientId = (await store.get(id))!.clientId;
    expect((await store.findIdempotencyRecord(clientId, 'bulk-1'))?.statusCode).toBe(200);
    expect(await post('/v1/recordings/bulk-delete', { ids: [id] }, 'bulk-1')).toMatchObject({
      status: 200,
      body: first.body,
    });
    await post('/v1/recordings', startBody({ meetingId: 'idem-start-key' }), 'start-key');
    expect((await post('/v1/recordings/bulk-delete', { ids: [id] }, 'start-key')).status).toBe(409);
    expect((await post('/v1/recordings/bulk-delete', { ids: [id] }, 'bad\u0001key')).status).toBe(400);
  });
});
