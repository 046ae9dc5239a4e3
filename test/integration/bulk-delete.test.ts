import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
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
let otherKey: string;

beforeAll(async () => {
  key = (await createApiKey({ clientId: uniqueClientId() })).key;
  otherKey = (await createApiKey({ clientId: uniqueClientId() })).key;
});

let meetings = 0;
async function started(apiKey: string, meetingId = `bulk-${++meetings}`): Promise<string> {
  const answer = await invokeApi('POST', '/v1/recordings', { key: apiKey, body: startBody({ meetingId }) });
  expect(answer.status).toBe(202);
  return answer.body.id as string;
}

async function uploaded(apiKey: string, meetingId?: string): Promise<string> {
  const id = await started(apiKey, meetingId);
  const stored = await store.get(id);
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: stored!.objectKey, Body: 'video' }));
  await store.transition(id, 'RECORDING');
  await store.transition(id, 'UPLOADED');
  return id;
}

async function fileExists(id: string): Promise<boolean> {
  const stored = await store.get(id);
  return s3
    .send(new HeadObjectCommand({ Bucket: bucketName(), Key: stored!.objectKey }))
    .then(() => true)
    .catch(() => false);
}

const bulkDelete = (body: unknown, apiKey = key) =>
  invokeApi('POST', '/v1/recordings/bulk-delete', { key: apiKey, body });

describe('POST /v1/recordings/bulk-delete', () => {
  it("reports each id's outcome in order, deletes only what DELETE would, and repeats without harm", async () => {
    const done = await uploaded(key);
    const alsoDone = await uploaded(key);
    const live = await started(key);
    const foreign = await uploaded(otherKey);
    const unknown = 'rec_01JDX9Q2W3E4R5T6Y7U8I9O0PA';
    const ids = [done, unknown, live, foreign, 'not-an-id', alsoDone, done];

    const first = await bulkDelete({ ids });
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([
      { id: done, status: 204 },
      { id: unknown, status: 404 },
      { id: live, status: 409 },
      { id: foreign, status: 404 },
      { id: 'not-an-id', status: 404 },
      { id: alsoDone, status: 204 },
    ]);
    expect((await store.get(done))?.status).toBe('DELETED');
    expect(await fileExists(done)).toBe(false);
    expect((await store.get(live))?.status).toBe('INVOKED');
    expect((await store.get(foreign))?.status).toBe('UPLOADED');
    expect(await fileExists(foreign)).toBe(true);

    const again = await bulkDelete({ ids });
    expect(again.body).toEqual(first.body);
    expect((await invokeApi('GET', `/v1/recordings/${done}`, { key })).body.status).toBe('DELETED');
  });

  it("deletes a meeting's recordings that are not deleted yet, and only that client's", async () => {
    const meetingId = `bulk-meeting-${Date.now()}`;
    const older = await uploaded(key, meetingId);
    const newer = await uploaded(key, meetingId);
    const foreign = await uploaded(otherKey, meetingId);

    const first = await bulkDelete({ meetingId });
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([
      { id: newer, status: 204 },
      { id: older, status: 204 },
    ]);
    expect((await store.get(foreign))?.status).toBe('UPLOADED');
    expect((await bulkDelete({ meetingId })).body.results).toEqual([]);
  });

  it('refuses a bad request whole and changes nothing', async () => {
    const kept = await uploaded(key);
    for (const body of [
      {},
      { ids: [] },
      { ids: Array(101).fill(kept) },
      { ids: [kept], meetingId: 'weekly-sync' },
      { meetingId: 'bad id!' },
      { ids: [kept], extra: true },
    ]) {
      const answer = await bulkDelete(body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
    }
    expect((await invokeApi('POST', '/v1/recordings/bulk-delete', { body: { ids: [kept] } })).status).toBe(
      401,
    );
    expect((await store.get(kept))?.status).toBe('UPLOADED');
    expect(await fileExists(kept)).toBe(true);
  });
});
