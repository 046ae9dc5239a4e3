import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setMockedDynamoEnv } from '../support/api-env.js';

// Faults no emulator produces on demand: DynamoDB throttling and an unexpected failure.
const dynamo = mockClient(DynamoDBDocumentClient);
let handler: (
  event: unknown,
  context: Context,
) => Promise<{ statusCode?: number; body?: string; headers?: Record<string, unknown> }>;

beforeAll(async () => {
  setMockedDynamoEnv();
  ({ handler } = (await import('../../lambdas/handlers/api/get-recording.js')) as never);
});

afterEach(() => {
  dynamo.reset();
});

const event = {
  version: '2.0',
  routeKey: 'GET /v1/recordings/{id}',
  rawPath: '/v1/recordings/rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6',
  rawQueryString: '',
  headers: {},
  pathParameters: { id: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6' },
  requestContext: { authorizer: { lambda: { clientId: 'acme' } }, http: { method: 'GET' } },
  isBase64Encoded: false,
};
const context = { functionName: 'get', awsRequestId: '1', getRemainingTimeInMillis: () => 3000 } as Context;

describe('faults of dependencies', () => {
  it('answers 500 internal without internals when DynamoDB fails unexpectedly', async () => {
    dynamo.onAnyCommand().rejects(new Error('socket hang up at 10.0.3.7:443 table arn:aws:dynamodb:secret'));
    const answer = await handler(event, context);
    expect(answer.statusCode).toBe(500);
    expect(dynamo.calls().length).toBeGreaterThan(0);
    const body = JSON.parse(answer.body ?? '{}');
    expect(body).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side.' } });
  });

  it('answers 503 unavailable with Retry-After when DynamoDB throttles', async () => {
    dynamo.onAnyCommand().rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const answer = await handler(event, context);
    expect(answer.statusCode).toBe(503);
    expect(answer.headers?.['retry-after']).toBe('2');
    expect(JSON.parse(answer.body ?? '{}').error.code).toBe('unavailable');
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', Object.assign(new Error('took too long'), { name: 'TimeoutError' })],
  ])('answers 503 unavailable when DynamoDB cannot be reached: %s', async (_, error) => {
    dynamo.onAnyCommand().rejects(error);
    const answer = await handler(event, context);
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(answer.body ?? '{}')).toEqual({
      error: { code: 'unavailable', message: 'The service is busy; retry shortly.' },
    });
  });
});
