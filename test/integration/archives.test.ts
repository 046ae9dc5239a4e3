import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_LIMIT, type Archive } from '../../lambdas/archives/archive.js';
import { ArchiveStore } from '../../lambdas/archives/archive-store.js';
import { buildArchive } from '../../lambdas/archives/build-archive.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { startLocalArchiveBuilder } from '../../local/archive-builder.js';
import type { StreamPoller } from '../../local/webhooks/stream-poller.js';
import { setApiEnv, startBody } from '../support/api-env.js';
import { createApiKey } from '../support/api-keys.js';
import { bucketName, documents, s3, tableName } from '../support/aws.js';
import { invokeApi } from '../support/invoke-api.js';
import { seedUploaded } from '../support/seed-recordings.js';
import { uniqueClientId } from '../support/table.js';
import { zipEntries } from '../support/zip-entries.js';

setApiEnv();
mockClient(SFNClient).on(StartExecutionCommand).resolves({});
const store = new DynamoRecordingStore(documents, tableName());
const archives = new ArchiveStore(documents, tableName());
let clientId: string;
let key: string;
let otherKey: string;
let builder: StreamPoller;

beforeAll(async () => {
  clientId = uniqueClientId();
  key = (await createApiKey({ clientId })).key;
  otherKey = (await createApiKey({ clientId: uniqueClientId() })).key;
  // The builder as local mode runs it: the table's stream, filtered to PENDING archives, into archive-build.
  builder = await startLocalArchiveBuilder({ tableName: tableName() });
});
afterAll(() => builder.stop());

/** An UPLOADED recording of this client whose file holds `bytes`. */
async function uploadedWith(bytes: Buffer, overrides: Parameters<typeof seedUploaded>[1] = {}) {
  const recording = await seedUploaded(store, { clientId, ...overrides });
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: recording.objectKey, Body: bytes }));
  return recording;
}

async function settled(id: string, apiKey = key) {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const answer = await invokeApi('GET', `/v1/archives/${id}`, { key: apiKey });
    if (answer.status !== 200 || answer.body.status !== 'PENDING') return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`archive ${id} still PENDING`);
}

const download = async (url: string) => {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return { response, body: Buffer.from(await response.arrayBuffer()) };
};

const archiveItems = async () => (await archives.get('arc_00000000000000000000000000')) ?? null;

describe('POST /v1/archives and GET /v1/archives/{id}', () => {
  it('streams the files into one ZIP in the order asked, with unique names, and hands out a fresh URL', async () => {
    // Over one 5 MiB part, so the upload is multipart; two files of the same name.
    const big = randomBytes(6 * 1024 * 1024 + 123);
    const small = randomBytes(1000);
    const first = await uploadedWith(big);
    const second = await uploadedWith(small);
    const third = await uploadedWith(Buffer.from('third'), {
      file: { ...(await store.get(first.id))!.file!, name: 'Retro.mkv' },
    });

    const created = await invokeApi('POST', '/v1/archives', {
      key,
      body: { ids: [first.id, second.id, third.id, first.id] },
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      status: 'PENDING',
      recordingIds: [first.id, second.id, third.id],
      url: null,
      expiresAt: null,
      sizeBytes: null,
      error: null,
    });
    const id = created.body.id as string;
    expect(id).toMatch(/^arc_[0-9A-HJKMNP-TV-Z]{26}$/);

    const ready = await settled(id);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('READY');
    const expiresIn = Date.parse(ready.body.expiresAt as string) - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);

    const { response, body } = await download(ready.body.url as string);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toContain(`recordings-${id}.zip`);
    expect(body.length).toBe(ready.body.sizeBytes);
    const entries = await zipEntries(body);
    expect(entries.map((entry) => entry.name)).toEqual([
      'Weekly sync-2026-11-23T09-41-05Z.mp4',
      'Weekly sync-2026-11-23T09-41-05Z (2).mp4',
      'Retro.mkv',
    ]);
    expect(entries[0]!.data.equals(big)).toBe(true);
    expect(entries[1]!.data.equals(small)).toBe(true);
    expect(entries[2]!.data.toString()).toBe('third');
    // Stored, not deflated (media is compressed already), dated by the recording's start.
    expect(entries.every((entry) => entry.compressionMethod === 0)).toBe(true);
    expect(entries[0]!.modified.getUTCFullYear()).toBe(2026);

    // The same recordings in any order are the same archive: 200, nothing rebuilt.
    const before = await archives.get(id);
    const again = await invokeApi('POST', '/v1/archives', {
      key,
      body: { ids: [third.id, second.id, first.id] },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, status: 'READY', sizeBytes: ready.body.sizeBytes });
    expect((await archives.get(id))!.generation).toBe(before!.generation);
    // Another client sees no such archive.
    expect((await invokeApi('GET', `/v1/archives/${id}`, { key: otherKey })).status).toBe(404);
  });

  it('refuses unknown, foreign, live and malformed ids with the ids in details, and writes nothing', async () => {
    const done = await uploadedWith(Buffer.from('done'));
    const foreign = (
      await invokeApi('POST', '/v1/recordings', {
        key: otherKey,
        body: startBody({ meetingId: 'arc-foreign' }),
      })
    ).body.id as string;
    const live = (
      await invokeApi('POST', '/v1/recordings', { key, body: startBody({ meetingId: 'arc-live' }) })
    ).body.id as string;
    const unknown = 'rec_01JDXA1B2C3D4E5F6G7H8J9K0M';

    const missing = await invokeApi('POST', '/v1/archives', {
      key,
      body: { ids: [done.id, unknown, foreign] },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.details).toEqual([{ recordingId: unknown }, { recordingId: foreign }]);

    const notUploaded = await invokeApi('POST', '/v1/archives', { key, body: { ids: [done.id, live] } });
    expect(notUploaded.status).toBe(409);
    expect(notUploaded.body.error.details).toEqual([{ recordingId: live, status: 'INVOKED' }]);

    for (const body of [
      { ids: [] },
      { ids: ['not-an-id'] },
      { ids: Array.from({ length: ARCHIVE_LIMIT + 1 }, () => done.id) },
      { ids: [done.id], extra: true },
      {},
    ]) {
      const answer = await invokeApi('POST', '/v1/archives', { key, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
    }
    expect(await archiveItems()).toBeNull();
    expect((await invokeApi('GET', '/v1/archives/arc_00000000000000000000000000', { key })).status).toBe(404);
    expect((await invokeApi('GET', '/v1/archives/nope', { key })).status).toBe(404);
  });

  it('refuses a set of files over the size limit', async () => {
    const huge = await uploadedWith(Buffer.from('x'), {
      file: { ...(await uploadedWith(Buffer.from('y'))).file!, sizeBytes: 11 * 1024 ** 3 },
    });
    const answer = await invokeApi('POST', '/v1/archives', { key, body: { ids: [huge.id] } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].field).toBe('body.ids');
  });

  it('deletes an archive whose recording was deleted: 410 once, its file gone, then 404', async () => {
    const kept = await uploadedWith(Buffer.from('kept'));
    const doomed = await uploadedWith(Buffer.from('doomed'));
    const created = await invokeApi('POST', '/v1/archives', { key, body: { ids: [kept.id, doomed.id] } });
    const id = created.body.id as string;
    expect((await settled(id)).body.status).toBe('READY');
    const objectKey = (await archives.get(id))!.objectKey;

    expect((await invokeApi('DELETE', `/v1/recordings/${doomed.id}`, { key })).status).toBe(204);
    const gone = await invokeApi('GET', `/v1/archives/${id}`, { key });
    expect(gone.status).toBe(410);
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucketName(), Key: objectKey }))).rejects.toThrow();
    expect((await invokeApi('GET', `/v1/archives/${id}`, { key })).status).toBe(404);
    // Asking again names the deleted recording.
    const again = await invokeApi('POST', '/v1/archives', { key, body: { ids: [kept.id, doomed.id] } });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual([{ recordingId: doomed.id, status: 'DELETED' }]);
  });

  it('fails a build whose recording went away before it ran, and builds it anew when asked again', async () => {
    const kept = await uploadedWith(Buffer.from('kept'));
    const created = await invokeApi('POST', '/v1/archives', { key, body: { ids: [kept.id] } });
    const id = created.body.id as string;
    expect((await settled(id)).body.status).toBe('READY');
    // A build that finds a recording no longer UPLOADED fails for good, with a reason.
    const archive = (await archives.get(id))!;
    const pending: Archive = {
      ...archive,
      status: 'PENDING',
      generation: 'g-failing',
      recordingIds: [kept.id, 'rec_01JDXA1B2C3D4E5F6G7H8J9K0M'],
    };
    expect(await archives.request(pending, archive.generation)).toBe(true);
    const failed = await settled(id);
    expect(failed.body).toMatchObject({ status: 'FAILED', url: null });
    expect(failed.body.error.code).toBe('recording_unavailable');

    // A failed archive is requested anew: 202 and a new build.
    const again = await invokeApi('POST', '/v1/archives', { key, body: { ids: [kept.id] } });
    expect(again.status).toBe(202);
    expect((await settled(id)).body.status).toBe('READY');
  });

  // Last: it stops the stream's builder, so that only its own builds run.
  it('leaves the archive PENDING for the retry when S3 fails mid-build, and skips a replaced build', async () => {
    await builder.stop();
    const file = await uploadedWith(Buffer.from('file'));
    const archive: Archive = {
      id: 'arc_00000000000000000000000001',
      clientId,
      recordingIds: [file.id],
      status: 'PENDING',
      generation: 'g1',
      requestedAt: new Date().toISOString(),
      objectKey: `archives/${clientId}/arc_00000000000000000000000001.zip`,
      sizeBytes: null,
      readyAt: null,
      expiresAt: null,
      error: null,
    };
    await documents.send(
      new PutCommand({
        TableName: tableName(),
        Item: { pk: `ARC#${archive.id}`, sk: 'ARC', type: 'archive', ...archive, status: 'BUILDING' },
      }),
    );
    const deadS3 = new S3Client({ endpoint: 'http://127.0.0.1:9', forcePathStyle: true, maxAttempts: 1 });
    // Not PENDING (or another generation): the builder does nothing.
    expect(await buildArchive(archive, { archives, recordings: store, s3, bucket: bucketName() })).toBe(
      'skipped',
    );
    await documents.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: `ARC#${archive.id}`, sk: 'ARC' },
        UpdateExpression: 'SET #s = :p',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':p': 'PENDING' },
      }),
    );
    await expect(
      buildArchive(archive, { archives, recordings: store, s3: deadS3, bucket: bucketName() }),
    ).rejects.toThrow();
    expect((await archives.get(archive.id))!.status).toBe('PENDING');
    expect(
      await buildArchive(
        { ...archive, generation: 'g0' },
        { archives, recordings: store, s3, bucket: bucketName() },
      ),
    ).toBe('skipped');
    expect(await buildArchive(archive, { archives, recordings: store, s3, bucket: bucketName() })).toBe(
      'built',
    );
    expect((await archives.get(archive.id))!.status).toBe('READY');
  });
});
