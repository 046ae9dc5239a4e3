import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROUTES } from '../../lambdas/routes.js';
import { ApiKeyStore } from '../../lambdas/store/api-key-store.js';
import { startBody } from '../support/api-env.js';
import { createApiKey } from '../support/api-keys.js';
import { bucketName, documents, s3, tableName } from '../support/aws.js';
import { uniqueClientId } from '../support/table.js';
import { type ApiUnderTest, startApiUnderTest } from './support/api-under-test.js';
import { errorShapeProblem } from './support/contract.js';
import { closeConnections, type RawResponse, send } from './support/http-client.js';
import { jsonRequest, recordingIn, store, uniqueMeetingId } from './support/world.js';

let api: ApiUnderTest;
let key: string;
let otherKey: string;
let revokedKey: string;
let ownId: string;
let ownMeetingId: string;
let unknownId: string;

beforeAll(async () => {
  api = await startApiUnderTest();
  const clientId = uniqueClientId('auth');
  key = (await createApiKey({ clientId })).key;
  otherKey = (await createApiKey({ clientId: uniqueClientId('auth-other') })).key;
  // Revoked before its first use: the authorizer caches a verdict for 30 s (docs/internals.md).
  revokedKey = (await createApiKey({ clientId, revokedAt: new Date().toISOString() })).key;
  ownId = await recordingIn(api.url, key, 'UPLOADED');
  ownMeetingId = (await store().get(ownId))!.meetingId;
  unknownId = `rec_${'0'.repeat(25)}1`;
});

afterAll(async () => {
  closeConnections();
  await api.stop();
});

const authorized = ROUTES.filter((route) => route.authorized);
const call = (method: string, path: string, authorization?: string) =>
  send(api.url, {
    method,
    target: path,
    headers: [
      ...(authorization === undefined ? [] : [['authorization', authorization] as const]),
      ['content-type', 'application/json'],
    ],
    ...(method === 'POST' ? { body: Buffer.from('{}') } : {}),
  });
const pathFor = (template: string, id: string) => template.replace('{id}', id);

function expectUnauthorized(answer: RawResponse, what: string) {
  expect(answer.status, what).toBe(401);
  expect(errorShapeProblem(answer.status, answer.body), what).toBeNull();
  expect(JSON.parse(answer.body.toString()).error.code).toBe('unauthorized');
}

const MALFORMED = [
  '',
  'Bearer',
  'Bearer ',
  'Basic dXNlcjpwYXNz',
  'Token abc',
  'Bearer mr_live_not-a-key',
  `Bearer ${'k'.repeat(5000)}`,
  'Bearer a b',
  'Bearer \u00ff\u00fe',
];

describe('authentication on every authorized route', () => {
  it('lists every authorized route of lambdas/routes.ts', () => {
    expect(authorized.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
      'DELETE /v1/recordings/{id}',
      'GET /v1/archives/{id}',
      'GET /v1/recordings',
      'GET /v1/recordings/{id}',
      'POST /v1/archives',
      'POST /v1/recordings',
      'POST /v1/recordings/bulk-delete',
      'POST /v1/recordings/{id}/links',
      'POST /v1/recordings/{id}/stop',
    ]);
  });

  for (const route of authorized) {
    const name = `${route.method} ${route.path}`;
    it(`${name}: 401 without a key, with a malformed key, with a wrong key and with a revoked key`, async () => {
      const path = pathFor(route.path, ownId);
      expectUnauthorized(await call(route.method, path), `${name} without a key`);
      for (const header of MALFORMED)
        expectUnauthorized(await call(route.method, path, header), `${name} "${header.slice(0, 40)}"`);
      expectUnauthorized(await call(route.method, path, `Bearer ${key}x`), `${name} with a wrong key`);
      expectUnauthorized(
        await call(route.method, path, `Bearer ${revokedKey}`),
        `${name} with a revoked key`,
      );
      expect((await store().get(ownId))?.status).toBe('UPLOADED');
    });
  }
});

describe('isolation between clients', () => {
  for (const route of authorized.filter((r) => r.path.includes('{id}'))) {
    const name = `${route.method} ${route.path}`;
    it(`${name}: another client's recording answers exactly like an id that does not exist`, async () => {
      const foreign = await call(route.method, pathFor(route.path, ownId), `Bearer ${otherKey}`);
      const missing = await call(route.method, pathFor(route.path, unknownId), `Bearer ${otherKey}`);
      expect(foreign.status).toBe(404);
      expect(errorShapeProblem(foreign.status, foreign.body)).toBeNull();
      expect(foreign.body.toString()).toBe(missing.body.toString());
      expect(foreign.headers['content-type']).toBe(missing.headers['content-type']);
      const stored = await store().get(ownId);
      expect(stored?.status).toBe('UPLOADED');
      expect(stored?.stopRequestedAt).toBeNull();
      await s3.send(new HeadObjectCommand({ Bucket: bucketName(), Key: stored!.objectKey }));
    });
  }

  it("never lists another client's recordings, even filtered by its meeting id", async () => {
    for (const target of ['/v1/recordings?limit=100', `/v1/recordings?meetingId=${ownMeetingId}`]) {
      const answer = await send(api.url, jsonRequest('GET', target, otherKey));
      expect(answer.status).toBe(200);
      const ids = JSON.parse(answer.body.toString()).items.map((item: { id: string }) => item.id);
      expect(ids).not.toContain(ownId);
    }
  });

  it("refuses another client's list cursor with 400", async () => {
    await recordingIn(api.url, key, 'INVOKED');
    const page = await send(api.url, jsonRequest('GET', '/v1/recordings?limit=1', key));
    const cursor = JSON.parse(page.body.toString()).nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const foreign = await send(
      api.url,
      jsonRequest('GET', `/v1/recordings?limit=1&cursor=${encodeURIComponent(cursor)}`, otherKey),
    );
    expect(foreign.status).toBe(400);
    expect(errorShapeProblem(foreign.status, foreign.body)).toBeNull();
  });
});

describe('keys over time and across clients', () => {
  it('stops accepting a key once revoked, within the 30 s the authorizer may cache its verdict', async () => {
    const clientId = uniqueClientId('revoke');
    const seeded = await createApiKey({ clientId });
    expect((await send(api.url, jsonRequest('GET', '/v1/recordings', seeded.key))).status).toBe(200);
    expect(await new ApiKeyStore(documents, tableName()).revoke(seeded.keyId)).toBe(true);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
    try {
      expectUnauthorized(
        await send(api.url, jsonRequest('GET', '/v1/recordings', seeded.key)),
        'revoked 31 s ago',
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it("never replays another client's answer for the same Idempotency-Key and body", async () => {
    const body = startBody({ meetingId: uniqueMeetingId('idem-iso') });
    const withKey = (apiKey: string) => {
      const request = jsonRequest('POST', '/v1/recordings', apiKey, body);
      return { ...request, headers: [...request.headers, ['idempotency-key', 'shared-key'] as const] };
    };
    const mine = await send(api.url, withKey(key));
    const theirs = await send(api.url, withKey(otherKey));
    expect([mine.status, theirs.status]).toEqual([202, 202]);
    expect(JSON.parse(theirs.body.toString()).id).not.toBe(JSON.parse(mine.body.toString()).id);
  });
});
