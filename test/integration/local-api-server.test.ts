import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteDefinition } from '../../lambdas/routes.js';
import {
  type ApiServer,
  importHandlers,
  type LambdaHandler,
  startApiServer,
} from '../../local/api-server.js';
import { createApiKey } from '../support/api-keys.js';
import { uniqueClientId } from '../support/table.js';

type Event = APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;

const routes: RouteDefinition[] = [
  { method: 'POST', path: '/echo/{id}', handler: 'echo', authorized: true },
  { method: 'GET', path: '/public', handler: 'echo', authorized: false },
  { method: 'GET', path: '/broken', handler: 'broken', authorized: false },
  { method: 'GET', path: '/missing', handler: 'no-such-handler-module', authorized: false },
  { method: 'GET', path: '/v1/health', handler: 'health', authorized: false },
];

const real = importHandlers();
const fakes: Record<string, LambdaHandler> = {
  authorizer: async (event: never) => {
    const { headers } = event as Event;
    if (headers['x-deny'] === 'hard') return { isAuthorized: false };
    return headers.authorization === 'Bearer good'
      ? { isAuthorized: true, context: { clientId: 'client-a' } }
      : { isAuthorized: true, context: { denied: 'invalid' } };
  },
  echo: async (event: never) => {
    const e = event as Event;
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: ['s=1', 't=2'],
      body: JSON.stringify({
        authorizer: e.requestContext.authorizer?.lambda ?? null,
        pathParameters: e.pathParameters ?? null,
        bodyBytes: e.body ? Buffer.from(e.body, e.isBase64Encoded ? 'base64' : 'utf8').length : 0,
      }),
    };
  },
  broken: async () => {
    throw new Error('boom');
  },
};

let server: ApiServer;
const logged: string[] = [];

beforeAll(async () => {
  Object.assign(process.env, {
    APP_VERSION: '9.9.9-test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  server = await startApiServer({
    port: 0,
    routes,
    loadHandler: (name) => (fakes[name] ? Promise.resolve(fakes[name]) : real(name)),
    log: (line) => logged.push(line),
  });
});
afterAll(() => server.stop());

describe('local API server', () => {
  it('listens on loopback', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers an unknown route with the contract error shape', async () => {
    const response = await fetch(`${server.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'No route for GET /nope.' },
    });
    expect((await fetch(`${server.url}/public`, { method: 'DELETE' })).status).toBe(404);
  });

  it('runs the authorizer and hands its context to the handler', async () => {
    const response = await fetch(`${server.url}/echo/a%20b`, {
      method: 'POST',
      headers: { authorization: 'Bearer good', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['s=1', 't=2']);
    expect(await response.json()).toEqual({
      authorizer: { clientId: 'client-a' },
      pathParameters: { id: 'a b' },
      bodyBytes: 2,
    });
    const denied = await fetch(`${server.url}/echo/x`, { method: 'POST' });
    expect((await denied.json()).authorizer).toEqual({ denied: 'invalid' });
  });

  it('answers 403 like API Gateway when the authorizer refuses', async () => {
    const response = await fetch(`${server.url}/echo/x`, { method: 'POST', headers: { 'x-deny': 'hard' } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it('does not run the authorizer on public routes', async () => {
    const response = await fetch(`${server.url}/public`, { headers: { 'x-deny': 'hard' } });
    expect(response.status).toBe(200);
    expect((await response.json()).authorizer).toBeNull();
  });

  it('passes bodies up to the gateway limit to the handler and refuses larger ones', async () => {
    const large = await fetch(`${server.url}/echo/x`, {
      method: 'POST',
      headers: { authorization: 'Bearer good', 'content-type': 'application/octet-stream' },
      body: new Uint8Array(10 * 1024 * 1024),
    });
    expect(large.status).toBe(200);
    expect((await large.json()).bodyBytes).toBe(10 * 1024 * 1024);

    const tooLarge = await fetch(`${server.url}/echo/x`, {
      method: 'POST',
      headers: { authorization: 'Bearer good' },
      body: new Uint8Array(10 * 1024 * 1024 + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error.code).toBe('payload_too_large');
  });

  it('answers 500 for a failing or missing handler without affecting other routes', async () => {
    const broken = await fetch(`${server.url}/broken`);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ message: 'Internal Server Error' });
    expect((await fetch(`${server.url}/missing`)).status).toBe(500);
    expect(logged.some((line) => line.includes('no-such-handler-module'))).toBe(true);
    expect((await fetch(`${server.url}/public`)).status).toBe(200);
  });

  it('serves the real health handler', async () => {
    const response = await fetch(`${server.url}/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: '9.9.9-test' });
  });
});

describe('local API server with the real authorizer and handlers', () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await startApiServer({ port: 0, routes: ROUTES });
  });
  afterAll(() => api.stop());

  it('answers 401 in the contract shape without a valid key', async () => {
    const missing = await fetch(`${api.url}/v1/recordings/rec_nothing`);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('unauthorized');
    const invalid = await fetch(`${api.url}/v1/recordings/rec_nothing`, {
      headers: { authorization: 'Bearer not-a-key' },
    });
    expect(invalid.status).toBe(401);
  });

  it('lets a seeded key through to the route handler', async () => {
    const { key } = await createApiKey({ clientId: uniqueClientId() });
    const response = await fetch(`${api.url}/v1/recordings/rec_nothing`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe('not_found');
  });
});
