import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambdas/routes.js';
import { type RequestLike, toApiGatewayEvent, toAuthorizerEvent } from '../../local/api/event.js';
import { toHttpResponse } from '../../local/api/response.js';
import { matchRoute } from '../../local/api/routes.js';

const options = { requestId: 'req-1', now: new Date('2026-11-23T09:41:07.123Z') };

function request(url: string, headers: Record<string, string[]> = {}, method = 'GET'): RequestLike {
  return {
    method,
    url,
    headersDistinct: { host: ['127.0.0.1:47180'], ...headers },
    socket: { remoteAddress: '::ffff:127.0.0.1' },
  };
}

function route(method: string, url: string) {
  const matched = matchRoute(ROUTES, method, url.split('?')[0]!);
  if (!matched) throw new Error(`no route for ${method} ${url}`);
  return matched;
}

describe('matchRoute', () => {
  it('matches literal and parameterised paths and decodes parameters', () => {
    expect(route('GET', '/v1/health').routeKey).toBe('GET /v1/health');
    const stop = route('POST', '/v1/recordings/rec%5F1/stop');
    expect(stop.routeKey).toBe('POST /v1/recordings/{id}/stop');
    expect(stop.pathParameters).toEqual({ id: 'rec_1' });
    expect(stop.definition.handler).toBe('stop-recording');
  });

  it('does not match another method, an empty parameter, extra segments or a trailing slash', () => {
    expect(matchRoute(ROUTES, 'PUT', '/v1/recordings')).toBeUndefined();
    expect(matchRoute(ROUTES, 'GET', '/v1/recordings/')).toBeUndefined();
    expect(matchRoute(ROUTES, 'GET', '/v1/recordings/a/b')).toBeUndefined();
    expect(matchRoute(ROUTES, 'GET', '/v1/health/')).toBeUndefined();
  });

  it('tells GET and DELETE of the same path apart', () => {
    expect(route('DELETE', '/v1/recordings/x').definition.handler).toBe('delete-recording');
    expect(route('GET', '/v1/recordings/x').definition.handler).toBe('get-recording');
  });
});

describe('toApiGatewayEvent', () => {
  it('builds a payload 2.0 event with route key, raw path and query, and request context', () => {
    const url = '/v1/recordings/rec_1?x=1';
    const event = toApiGatewayEvent(
      request(url, { 'user-agent': ['curl/8'] }),
      route('GET', url),
      Buffer.alloc(0),
      options,
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/recordings/{id}',
      rawPath: '/v1/recordings/rec_1',
      rawQueryString: 'x=1',
      pathParameters: { id: 'rec_1' },
      queryStringParameters: { x: '1' },
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/v1/recordings/rec_1', sourceIp: '127.0.0.1', userAgent: 'curl/8' },
        requestId: 'req-1',
        routeKey: 'GET /v1/recordings/{id}',
        stage: '$default',
        time: '23/Nov/2026:09:41:07 +0000',
        timeEpoch: options.now.getTime(),
        domainName: '127.0.0.1:47180',
      },
    });
    expect(event.body).toBeUndefined();
    expect(event.cookies).toBeUndefined();
  });

  it('leaves optional maps out when empty', () => {
    const event = toApiGatewayEvent(
      request('/v1/health'),
      route('GET', '/v1/health'),
      Buffer.alloc(0),
      options,
    );
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event.rawQueryString).toBe('');
  });

  it('comma-joins duplicate query parameters and decodes them, keeping the raw string', () => {
    const url = '/v1/recordings?status=RECORDING&status=UPLOADED&meetingId=a%20b&cursor=a%2Bb%3D';
    const event = toApiGatewayEvent(request(url), route('GET', url), Buffer.alloc(0), options);
    expect(event.queryStringParameters).toEqual({
      status: 'RECORDING,UPLOADED',
      meetingId: 'a b',
      cursor: 'a+b=',
    });
    expect(event.rawQueryString).toBe('status=RECORDING&status=UPLOADED&meetingId=a%20b&cursor=a%2Bb%3D');
  });

  it('lower-cases headers, comma-joins duplicates and moves cookies out of the headers', () => {
    const event = toApiGatewayEvent(
      request('/v1/health', {
        'X-Trace': ['a', 'b'],
        Authorization: ['Bearer k'],
        cookie: ['a=1; b=2', 'c=3'],
      }),
      route('GET', '/v1/health'),
      Buffer.alloc(0),
      options,
    );
    expect(event.headers).toMatchObject({ 'x-trace': 'a,b', authorization: 'Bearer k' });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('passes a JSON body as text and a binary body base64-encoded', () => {
    const json = Buffer.from('{"meetingId":"ü"}');
    const text = toApiGatewayEvent(
      request('/v1/recordings', { 'content-type': ['application/json; charset=utf-8'] }, 'POST'),
      route('POST', '/v1/recordings'),
      json,
      options,
    );
    expect(text).toMatchObject({ body: '{"meetingId":"ü"}', isBase64Encoded: false });

    const bytes = Buffer.from([0, 255, 1, 2]);
    const binary = toApiGatewayEvent(
      request('/v1/recordings', { 'content-type': ['application/octet-stream'] }, 'POST'),
      route('POST', '/v1/recordings'),
      bytes,
      options,
    );
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
  });

  it('base64-encodes a body without a content type', () => {
    const event = toApiGatewayEvent(
      request('/v1/recordings', {}, 'POST'),
      route('POST', '/v1/recordings'),
      Buffer.from('{}'),
      options,
    );
    expect(event).toMatchObject({ body: Buffer.from('{}').toString('base64'), isBase64Encoded: true });
  });
});

describe('toAuthorizerEvent', () => {
  it('carries the request for a REQUEST authorizer without identity sources', () => {
    const url = '/v1/recordings/rec_1?x=1';
    const event = toApiGatewayEvent(
      request(url, { authorization: ['Bearer k'] }),
      route('GET', url),
      Buffer.alloc(0),
      options,
    );
    expect(toAuthorizerEvent(event)).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      identitySource: [],
      routeKey: 'GET /v1/recordings/{id}',
      routeArn: 'arn:aws:execute-api:us-east-1:000000000000:local/$default/GET/v1/recordings/rec_1',
      headers: { authorization: 'Bearer k' },
      pathParameters: { id: 'rec_1' },
      queryStringParameters: { x: '1' },
    });
  });
});

describe('toHttpResponse', () => {
  it('reads a structured result with headers, cookies and a base64 body', () => {
    const response = toHttpResponse({
      statusCode: 302,
      headers: { Location: 'https://x.test/', 'X-N': 1 },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(response.statusCode).toBe(302);
    expect(response.headers).toEqual({ location: 'https://x.test/', 'x-n': '1' });
    expect(response.cookies).toEqual(['a=1', 'b=2']);
    expect([...response.body]).toEqual([1, 2, 3]);
  });

  it('answers 200 JSON for results without a status code', () => {
    const object = toHttpResponse({ status: 'ok' });
    expect(object).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(object.body.toString()).toBe('{"status":"ok"}');
    expect(toHttpResponse('plain').body.toString()).toBe('plain');
  });

  it('answers 500 for a malformed status code', () => {
    const response = toHttpResponse({ statusCode: '200' });
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal Server Error' });
  });
});
