import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambdas/routes.js';
import { matchRoute } from '../../local/api/routes.js';
import { createApiKey } from '../support/api-keys.js';
import { uniqueClientId } from '../support/table.js';
import { type ApiUnderTest, createOwnResources, startApiUnderTest } from './support/api-under-test.js';
import { errorShapeProblem } from './support/contract.js';
import { closeConnections, type RawRequest, type RawResponse, send } from './support/http-client.js';
import {
  BODY_LIMIT_BYTES,
  describeRequest,
  type FuzzTargets,
  requestArbitrary,
} from './support/request-arbitraries.js';
import { stateDigest } from './support/state.js';
import { recordingIn, uniqueMeetingId } from './support/world.js';

const RUNS = Number(process.env.HARDENING_FUZZ_RUNS ?? 5000);
const SEED = Number(process.env.HARDENING_FUZZ_SEED ?? Date.now() % 2 ** 31);
const PRESIGNED_ROUTES = ROUTES.filter((route) => !route.redirectModeOnly);
const BODY_ROUTES = new Set(['start-recording', 'stop-recording', 'create-link']);

let api: ApiUnderTest;
let targets: FuzzTargets;

beforeAll(async () => {
  // This file's own table and bucket: a scan of them is all the state a request could change.
  const { tableName, bucketName } = await createOwnResources('fuzz');
  api = await startApiUnderTest({ TABLE_NAME: tableName, BUCKET_NAME: bucketName });
  const clientId = uniqueClientId('fuzz');
  const key = (await createApiKey({ clientId })).key;
  const other = (await createApiKey({ clientId: uniqueClientId('fuzz-other') })).key;
  const revoked = (await createApiKey({ clientId, revokedAt: new Date().toISOString() })).key;
  const ownIds = [];
  for (const status of ['INVOKED', 'RECORDING', 'UPLOADING', 'UPLOADED', 'ERRORED', 'DELETED'] as const)
    ownIds.push(await recordingIn(api.url, key, status));
  const otherClientIds = [
    await recordingIn(api.url, other, 'RECORDING'),
    await recordingIn(api.url, other, 'UPLOADED'),
  ];
  targets = {
    key,
    otherClientKey: other,
    revokedKey: revoked,
    ownIds,
    otherClientIds,
    meetingIds: [uniqueMeetingId('fuzz'), uniqueMeetingId('fuzz'), uniqueMeetingId('fuzz')],
  };
});

afterAll(async () => {
  closeConnections();
  await api?.stop();
});

/** Answers after which the API may have changed something; every other answer must leave state as it was. */
function mayChangeState(request: RawRequest, response: RawResponse): boolean {
  const path = request.target.split('?')[0] ?? '';
  const handler = matchRoute(PRESIGNED_ROUTES, request.method, path)?.definition.handler;
  const keyed = request.headers?.some(([name]) => name.toLowerCase() === 'idempotency-key') ?? false;
  return (
    (response.status === 202 && (handler === 'start-recording' || handler === 'stop-recording')) ||
    (response.status === 204 && handler === 'delete-recording') ||
    (response.status === 200 && handler === 'bulk-delete-recordings') ||
    // A successful POST with an Idempotency-Key keeps its answer.
    (keyed && request.method === 'POST' && response.status >= 200 && response.status < 300)
  );
}

describe('bad input', () => {
  it(
    `answers ${RUNS} generated requests with no 5xx, only contract errors, and no change on rejection`,
    async () => {
      console.log(`bad-input fuzzer: seed ${SEED}, ${RUNS} runs (HARDENING_FUZZ_SEED / HARDENING_FUZZ_RUNS)`);
      let before = await stateDigest();
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requestArbitrary(targets), async (request) => {
          const response = await send(api.url, request);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const context = `${response.status} ${response.body.toString('utf8').slice(0, 300)} for ${describeRequest(request)}`;
          expect(response.status, context).toBeLessThan(500);
          const path = request.target.split('?')[0] ?? '';
          const route = matchRoute(PRESIGNED_ROUTES, request.method, path);
          if (!route) expect(response.status, context).toBe(404);
          if (response.status >= 300 && request.method !== 'HEAD') {
            expect(errorShapeProblem(response.status, response.body), context).toBeNull();
          }
          const bytes = request.body?.length ?? 0;
          const authorized = response.status !== 401;
          if (route && BODY_ROUTES.has(route.definition.handler) && authorized && bytes > BODY_LIMIT_BYTES) {
            expect(response.status, context).toBe(413);
          }
          const after = await stateDigest();
          if (!mayChangeState(request, response))
            expect(after.digest, `state changed: ${context}`).toBe(before.digest);
          before = after;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false },
      );
      console.log(
        'bad-input fuzzer: answers by status',
        Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
      );
      // The generators reach past authentication and validation, not only into 401 and 404 (a short run may not).
      if (RUNS >= 1000) {
        for (const status of [202, 400, 401, 404, 409, 413, 415])
          expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
      }
    },
    RUNS * 40 + 60_000,
  );
});

describe('the 64 KiB body limit', () => {
  it('answers 413 on every route to a body just above 64 KiB and accepts one of exactly 64 KiB', async () => {
    const [invoked, , , uploaded] = targets.ownIds;
    const json = (size: number) => Buffer.from(`{"padding":"${'x'.repeat(size - 14)}"}`);
    expect(json(BODY_LIMIT_BYTES).length).toBe(BODY_LIMIT_BYTES);
    const routes = [
      ['POST', '/v1/recordings'],
      ['GET', '/v1/recordings'],
      ['GET', `/v1/recordings/${uploaded}`],
      ['POST', `/v1/recordings/${invoked}/stop`],
      ['POST', `/v1/recordings/${uploaded}/links`],
      ['DELETE', `/v1/recordings/${targets.ownIds[5]}`],
      ['GET', '/v1/health'],
    ] as const;
    const answers: Record<string, number> = {};
    for (const [method, target] of routes) {
      const headers = [
        ['authorization', `Bearer ${targets.key}`],
        ['content-type', 'application/json'],
      ] as const;
      const over = await send(api.url, { method, target, headers, body: json(BODY_LIMIT_BYTES + 1) });
      const at = await send(api.url, { method, target, headers, body: json(BODY_LIMIT_BYTES) });
      answers[`${method} ${target.replace(/rec_\w+/, '{id}')}`] = over.status;
      expect(at.status, `${method} ${target} with exactly 64 KiB`).not.toBe(413);
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((route) => [route, 413])));
  });
});
