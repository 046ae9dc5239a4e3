import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchiveStore } from '../../lambdas/archives/archive-store.js';
import { buildArchive } from '../../lambdas/archives/build-archive.js';
import { LinkTokenStore } from '../../lambdas/links/redirect-link-issuer.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { setApiEnv, startBody } from '../support/api-env.js';
import { createApiKey } from '../support/api-keys.js';
import { bucketName, documents, s3, tableName } from '../support/aws.js';
import { invokeApi } from '../support/invoke-api.js';
import { uniqueClientId } from '../support/table.js';
import { zipEntries } from '../support/zip-entries.js';

setApiEnv({ LINK_MODE: 'redirect', PUBLIC_API_URL: 'https://api.test' });
mockClient(SFNClient).on(StartExecutionCommand).resolves({});
const store = new DynamoRecordingStore(documents, tableName());
let key: string;

beforeAll(async () => {
  key = (await createApiKey({ clientId: uniqueClientId() })).key;
});

async function uploaded(meetingId: string) {
  const started = await invokeApi('POST', '/v1/recordings', { key, body: startBody({ meetingId }) });
  const id = started.body.id as string;
  const stored = await store.get(id);
  await s3.send(
    new PutObjectCommand({ Bucket: bucketName(), Key: stored!.objectKey, Body: 'redirected video' }),
  );
  await store.transition(id, 'RECORDING');
  await store.transition(id, 'UPLOADED');
  return id;
}

const tokenPath = (url: string) => new URL(url).pathname;

describe('redirect link mode', () => {
  it('links through the API: 302 to a minutes-long S3 URL, 410 once the recording is deleted', async () => {
    const id = await uploaded('redirect-delete');
    const link = await invokeApi('POST', `/v1/recordings/${id}/links`, { key });
    expect(link.status).toBe(201);
    expect(link.body.url).toMatch(/^https:\/\/api\.test\/v1\/links\/[A-Za-z0-9_-]{43}$/);

    const followed = await invokeApi('GET', tokenPath(link.body.url));
    expect(followed.status).toBe(302);
    const target = new URL(followed.headers.location!);
    expect(Number(target.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(300);
    const download = await fetch(target);
    expect(await download.text()).toBe('redirected video');

    expect((await invokeApi('DELETE', `/v1/recordings/${id}`, { key })).status).toBe(204);
    const gone = await invokeApi('GET', tokenPath(link.body.url));
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('gone');
  });

  it('answers 404 for an unknown or malformed token and 410 for an expired one', async () => {
    expect((await invokeApi('GET', `/v1/links/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await invokeApi('GET', '/v1/links/short')).status).toBe(404);
    const id = await uploaded('redirect-expired');
    const token = 'B'.repeat(43);
    await new LinkTokenStore(documents, tableName()).save(token, {
      recordingId: id,
      clientId: 'whoever',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    const expired = await invokeApi('GET', `/v1/links/${token}`);
    expect(expired.status).toBe(410);
  });

  it("links an archive through the API too: 302 to the ZIP, 410 once the link's hour is over", async () => {
    const id = await uploaded('redirect-archive');
    const created = await invokeApi('POST', '/v1/archives', { key, body: { ids: [id] } });
    expect(created.status).toBe(202);
    const archives = new ArchiveStore(documents, tableName());
    const requested = (await archives.get(created.body.id))!;
    const built = await buildArchive(requested, { archives, recordings: store, s3, bucket: bucketName() });
    expect(built).toBe('built');

    const ready = await invokeApi('GET', `/v1/archives/${created.body.id}`, { key });
    expect(ready.body.status).toBe('READY');
    expect(ready.body.url).toMatch(/^https:\/\/api\.test\/v1\/links\/[A-Za-z0-9_-]{43}$/);
    // An archive link is always the redirect, even for a browser: there is no watch page of a ZIP.
    const followed = await invokeApi('GET', tokenPath(ready.body.url), { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(302);
    const target = new URL(followed.headers.location!);
    expect(target.pathname).toContain(`/archives/`);
    expect(Number(target.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(300);
    const zip = Buffer.from(await (await fetch(target)).arrayBuffer());
    expect((await zipEntries(zip)).map((entry) => entry.data.toString())).toEqual(['redirected video']);

    const token = 'C'.repeat(43);
    await new LinkTokenStore(documents, tableName()).save(token, {
      archiveId: created.body.id,
      clientId: 'whoever',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect((await invokeApi('GET', `/v1/links/${token}`)).status).toBe(410);
  });

  it('stores only the hash of a token', async () => {
    const id = await uploaded('redirect-hash');
    const link = await invokeApi('POST', `/v1/recordings/${id}/links`, { key });
    const token = tokenPath(link.body.url).split('/').pop()!;
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: tableName() }));
    expect(JSON.stringify(Items)).not.toContain(token);
  });

  it('gives a browser the watch page and any other client, or ?download=1, the redirect', async () => {
    const id = await uploaded('redirect-watch');
    const link = await invokeApi('POST', `/v1/recordings/${id}/links`, { key });
    const path = tokenPath(link.body.url);
    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

    const page = await invokeApi('GET', path, { headers: { accept: browserAccept } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers.vary).toBe('Accept');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).toMatch(
      /media-src 'self' http:\/\/(127\.0\.0\.1|localhost):\d+;/,
    );
    expect(page.body).toContain('<video id="player"');
    expect(page.body).toContain(`This link works until`);

    const download = await invokeApi('GET', `${path}?download=1`, { headers: { accept: browserAccept } });
    expect(download.status).toBe(302);
    expect(await (await fetch(download.headers.location!)).text()).toBe('redirected video');
    expect((await invokeApi('GET', path, { headers: { accept: '*/*' } })).status).toBe(302);

    expect((await invokeApi('DELETE', `/v1/recordings/${id}`, { key })).status).toBe(204);
    const gone = await invokeApi('GET', path, { headers: { accept: browserAccept } });
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('gone');
  });
});
