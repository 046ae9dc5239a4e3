import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setMockedDynamoEnv } from '../support/api-env.js';

// A key store that cannot answer in time: a fault no emulator produces on demand (the partition tests
// make it happen for real, slowly).
const dynamo = mockClient(DynamoDBDocumentClient);
type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;
let authorizer: Handler;
let getRecording: Handler;

beforeAll(async () => {
  setMockedDynamoEnv();
  ({ handler: authorizer } = (await import('../../lambdas/handlers/authorizer.js')) as never);
  ({ handler: getRecording } = (await import('../../lambdas/handlers/api/get-recording.js')) as never);
});

afterEach(() => {
  dynamo.reset();
  vi.useRealTimers();
});

const context = { functionName: 'auth', awsRequestId: '1', getRemainingTimeInMillis: () => 3000 } as Context;
const request = (key: string) => ({
  headers: { authorization: `Bearer ${key}` },
  requestContext: { http: { sourceIp: '192.0.2.1', method: 'GET' } },
});
const timeout = () => Object.assign(new Error('took too long'), { name: 'TimeoutError' });

describe('the authorizer when the key store cannot answer', () => {
  it('lets the route answer 503 unavailable in the contract shape when it has no verdict for the key', async () => {
    dynamo.on(GetCommand).rejects(timeout());
    const verdict = await authorizer(request('mrk_never_seen_before'), context);
    expect(verdict).toEqual({ isAuthorized: true, context: { denied: 'unavailable' } });

    const answer = (await getRecording(
      {
        version: '2.0',
        routeKey: 'GET /v1/recordings/{id}',
        rawPath: '/v1/recordings/rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6',
        headers: {},
        pathParameters: { id: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6' },
        requestContext: { authorizer: { lambda: verdict.context }, http: { method: 'GET' } },
        isBase64Encoded: false,
      },
      context,
    )) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(answer.body).error.code).toBe('unavailable');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('reuses the last verdict of a key after it expired, while the store is unreachable', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    dynamo.on(GetCommand).resolves({ Item: { clientId: 'acme', revokedAt: null } });
    expect(await authorizer(request('mrk_known_key'), context)).toEqual({
      isAuthorized: true,
      context: { clientId: 'acme' },
    });
    vi.setSystemTime(Date.now() + 120_000);
    dynamo.reset();
    dynamo.on(GetCommand).rejects(timeout());
    expect(await authorizer(request('mrk_known_key'), context)).toEqual({
      isAuthorized: true,
      context: { clientId: 'acme' },
    });
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('still fails on an error that is not the store being unreachable', async () => {
    dynamo.on(GetCommand).rejects(new Error('unexpected'));
    await expect(authorizer(request('mrk_other_key'), context)).rejects.toThrow('unexpected');
  });
});
