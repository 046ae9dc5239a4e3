import fc from 'fast-check';
import { startBody } from '../../support/api-env.js';
import type { RawRequest } from './http-client.js';

/** What the generated requests aim at: the fuzzing client's keys and recordings, and another client's. */
export interface FuzzTargets {
  readonly key: string;
  readonly otherClientKey: string;
  readonly revokedKey: string;
  readonly ownIds: readonly string[];
  readonly otherClientIds: readonly string[];
  /** Meetings that valid start bodies use; some of them already have a live recording. */
  readonly meetingIds: readonly string[];
}

export const BODY_LIMIT_BYTES = 64 * 1024;

// Methods Node's HTTP parser knows; any other token is refused by the parser before the API sees it.
const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PURGE', 'SEARCH'];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Strings of bytes 0x20-0x7e and 0x80-0xff: what a header value may carry on the wire. */
const latin1 = (maxLength: number) =>
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((code) => code !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength,
  });
const printableAscii = (minLength: number, maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength,
    maxLength,
  });
/** The UTF-8 bytes of `text` as a latin1 string: how a header carries non-ASCII text on the wire. */
const utf8OnTheWire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const anyText = fc.string({ unit: 'binary', maxLength: 300 });

const recordingIdLike = fc
  .array(fc.constantFrom(...CROCKFORD), { minLength: 26, maxLength: 26 })
  .map((chars) => `rec_${chars.join('')}`);

function idSegment(targets: FuzzTargets): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...targets.ownIds) },
    { weight: 2, arbitrary: fc.constantFrom(...targets.otherClientIds) },
    { weight: 2, arbitrary: recordingIdLike },
    { weight: 1, arbitrary: recordingIdLike.map((id) => id.toLowerCase()) },
    { weight: 2, arbitrary: anyText.map(encodeURIComponent) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '..',
        '.',
        '%2e%2e',
        '%2F',
        '..%2F..%2Fhealth',
        '%2e%2e%2fv1%2fhealth',
        '%00',
        '%',
        '%zz',
        '%E0%80%80',
        '%C0%AF',
        'rec_%2F..',
        '%7B..%7D',
        '~',
        '*',
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 256, max: 8000 }).map((n) => 'a'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(...targets.ownIds).map((id) => `${id}%2Fstop`) },
  );
}

function pathArbitrary(targets: FuzzTargets): fc.Arbitrary<string> {
  const id = idSegment(targets);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('/v1/recordings') },
    { weight: 4, arbitrary: id.map((segment) => `/v1/recordings/${segment}`) },
    { weight: 4, arbitrary: id.map((segment) => `/v1/recordings/${segment}/stop`) },
    { weight: 4, arbitrary: id.map((segment) => `/v1/recordings/${segment}/links`) },
    { weight: 1, arbitrary: id.map((segment) => `/v1/links/${segment}`) },
    { weight: 1, arbitrary: fc.constantFrom('/v1/health', '/v1/openapi.json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '/',
        '//v1/recordings',
        '/v1/recordings/',
        '/v1/./recordings',
        '/v1/recordings/../health',
        '/V1/RECORDINGS',
        '/v1//recordings',
        '/v1/recordings?',
        '/v1/health/',
        '/v2/recordings',
        '/v1/recordings/%2e%2e/%2e%2e/health',
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.oneof(anyText.map(encodeURIComponent), id), { minLength: 1, maxLength: 6 })
        .map((segments) => `/${segments.join('/')}`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(id, anyText).map(([s, tail]) => `/v1/recordings/${s}/${encodeURIComponent(tail)}`),
    },
  );
}

const queryValue = fc.oneof(
  fc.constantFrom('weekly-sync', 'RECORDING', 'UPLOADED', 'recording', '20', '1', '100', '0', '101', '-1'),
  fc.constantFrom('1e1', '0x10', 'NaN', 'Infinity', '', '2.5', '%205', 'null', '[]', 'eyJwIjp7fX0.AAAA'),
  anyText.map(encodeURIComponent),
  fc.integer({ min: 2049, max: 6000 }).map((n) => 'c'.repeat(n)),
  fc.constantFrom('%zz', '%', '%E0%80%80', '%00', '%C0%AF', '+', '%2B', '&&', '=='),
);

const queryArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('meetingId', 'status', 'limit', 'cursor', 'meetingid', 'LIMIT'),
            fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', ''),
            anyText.map(encodeURIComponent),
          ),
          queryValue,
        ),
        { maxLength: 8 },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
  },
);

function authorizationArbitrary(targets: FuzzTargets): fc.Arbitrary<string | undefined> {
  const { key } = targets;
  return fc.oneof(
    { weight: 30, arbitrary: fc.constant(`Bearer ${key}`) },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constant(`Bearer ${targets.otherClientKey}`) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${targets.revokedKey}`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        `bearer ${key}`,
        `BEARER   ${key}   `,
        `Bearer ${key} ${key}`,
        `Bearer ${key}x`,
        `Bearer ${key.slice(0, -1)}`,
        `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
        `Token ${key}`,
        key,
        'Bearer',
        'Bearer ',
        '',
        `Bearer\t${key}`,
      ),
    },
    { weight: 2, arbitrary: latin1(300).map((value) => `Bearer ${value}`) },
    { weight: 1, arbitrary: fc.integer({ min: 257, max: 6000 }).map((n) => `Bearer ${'k'.repeat(n)}`) },
  );
}

const contentTypeArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json;charset=latin1',
      'APPLICATION/JSON',
      'application/problem+json',
      'application/jsonx',
      'application/json5',
      'text/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/xml',
      '',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: latin1(100) },
);

const idempotencyKeyArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: printableAscii(1, 255) },
  { weight: 2, arbitrary: fc.constantFrom('fuzz-key-1', 'fuzz-key-2') },
  { weight: 1, arbitrary: printableAscii(256, 400) },
  { weight: 1, arbitrary: latin1(60) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '', '\t', 'a b', utf8OnTheWire('ключ'), utf8OnTheWire('🔑')) },
);

/** A start body that passes the schema, with a meeting from the pool. */
function validStart(targets: FuzzTargets) {
  return fc
    .record({
      meetingId: fc.constantFrom(...targets.meetingIds),
      format: fc.option(fc.constantFrom('mp4', 'mkv'), { nil: undefined }),
      resolution: fc.option(fc.constantFrom('720p', '1080p'), { nil: undefined }),
      maxDurationSeconds: fc.option(fc.integer({ min: 10, max: 3600 }), { nil: undefined }),
      meetingTitle: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), {
        nil: undefined,
      }),
    })
    .map((fields) =>
      startBody(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))),
    );
}

const START_FIELDS = [
  'meetingId',
  'meetingUrl',
  'host',
  'meetingTitle',
  'maxDurationSeconds',
  'format',
  'resolution',
  'continuationOf',
];

/** A valid body with one field replaced by anything, removed, or an unknown field added. */
function mutatedStart(targets: FuzzTargets) {
  const replacement = fc.oneof(
    fc.anything({ maxDepth: 3 }),
    anyText,
    fc.constantFrom(
      'https://169.254.169.254/latest/meta-data/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://meet.example.com@evil.example.net/',
      'https://user:pw@meet.example.com/x',
      'http://meet.example.com/r/1',
      'https://[::ffff:169.254.169.254]/',
      'https://0x7f000001/',
      'https://2130706433/',
      '../../../../etc/passwd',
      'CON',
      '\u202egnp.exe',
      '<script>alert(1)</script>',
      'a\r\nBcc: victim@example.com',
      { email: 'a\r\nbcc:x@example.com' },
      { email: 'host@example.com', name: '<img src=x onerror=alert(1)>' },
      -1,
      Number.MAX_VALUE,
      3601,
      9,
      10.5,
      null,
      true,
      [],
      {},
    ),
  );
  return fc
    .tuple(
      validStart(targets),
      fc.oneof(
        fc.tuple(fc.constant('replace' as const), fc.constantFrom(...START_FIELDS), replacement),
        fc.tuple(fc.constant('remove' as const), fc.constantFrom(...START_FIELDS), fc.constant(null)),
        fc.tuple(
          fc.constant('add' as const),
          fc.oneof(
            anyText,
            fc.constantFrom('__proto__', 'constructor', 'clientId', 'status', 'id', 'objectKey'),
          ),
          replacement,
        ),
      ),
    )
    .map(([body, [operation, field, value]]) => {
      const copy: Record<string, unknown> = { ...body };
      if (operation === 'remove') delete copy[field];
      else
        Object.defineProperty(copy, field, { value, enumerable: true, writable: true, configurable: true });
      return JSON.stringify(copy);
    });
}

/** A JSON document of exactly `size` bytes (ASCII), shaped like a start body padded with a long title. */
function startOfSize(targets: FuzzTargets, size: number, field: string): string {
  const body = { ...startBody({ meetingId: targets.meetingIds[0] }), [field]: '' };
  const overhead = Buffer.byteLength(JSON.stringify(body));
  return JSON.stringify({ ...body, [field]: 'x'.repeat(Math.max(0, size - overhead)) });
}

function bodyArbitrary(targets: FuzzTargets): fc.Arbitrary<Buffer | undefined> {
  const text = (arbitrary: fc.Arbitrary<string>) => arbitrary.map((value) => Buffer.from(value, 'utf8'));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: text(validStart(targets).map((body) => JSON.stringify(body))) },
    { weight: 8, arbitrary: text(mutatedStart(targets)) },
    { weight: 3, arbitrary: text(fc.json({ maxDepth: 4 })) },
    {
      weight: 2,
      arbitrary: text(fc.anything({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'undefined')),
    },
    { weight: 2, arbitrary: text(anyText) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
    {
      weight: 2,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((bytes) =>
          Buffer.concat([
            Buffer.from('{"meetingTitle":"'),
            Buffer.from(bytes.map((b) => b | 0x80)),
            Buffer.from('"}'),
          ]),
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 30_000 }), fc.boolean())
        .map(([depth, arrays]) =>
          arrays
            ? `${'['.repeat(depth)}${']'.repeat(depth)}`
            : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
        )
        .map((value) => Buffer.from(value)),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.integer({ min: -64, max: 64 }), fc.integer({ min: -4096, max: 200_000 })),
          fc.constantFrom('meetingTitle', 'padding'),
        )
        .map(([delta, field]) => Buffer.from(startOfSize(targets, BODY_LIMIT_BYTES + delta, field))),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          'meetingId=x&meetingUrl=y',
          '<recording/>',
          'null',
          'true',
          '"string"',
          '42',
          '{',
          '{"meetingId":',
          '\ufeff{}',
          '{}',
          '[]',
          '{"requestedBy":{"userId":"u-42"}}',
          '{"requestedBy":{"email":"HOST@example.com"}}',
          '{"requestedBy":{"userId":"someone-else"}}',
          '{"requestedBy":{}}',
          '{"expiresInSeconds":3600}',
          '{"expiresInSeconds":59}',
          '{"expiresInSeconds":604801}',
          '{"expiresInSeconds":1e309}',
          '{"maxDurationSeconds":-0}',
          '{"expiresInSeconds":"3600"}',
          '{"__proto__":{"admin":true}}',
          '{"a":1,"a":2}',
          '   ',
          '\u0000',
        )
        .map((value) => Buffer.from(value)),
    },
  );
}

/** Mostly a real route with its own method, sometimes any method on any path. */
function endpointArbitrary(targets: FuzzTargets): fc.Arbitrary<{ method: string; path: string }> {
  const id = idSegment(targets);
  const on = (method: string, path: fc.Arbitrary<string>) => path.map((p) => ({ method, path: p }));
  return fc.oneof(
    { weight: 8, arbitrary: on('POST', fc.constant('/v1/recordings')) },
    { weight: 3, arbitrary: on('GET', fc.constant('/v1/recordings')) },
    {
      weight: 2,
      arbitrary: on(
        'GET',
        id.map((s) => `/v1/recordings/${s}`),
      ),
    },
    {
      weight: 3,
      arbitrary: on(
        'POST',
        id.map((s) => `/v1/recordings/${s}/stop`),
      ),
    },
    {
      weight: 2,
      arbitrary: on(
        'DELETE',
        id.map((s) => `/v1/recordings/${s}`),
      ),
    },
    {
      weight: 3,
      arbitrary: on(
        'POST',
        id.map((s) => `/v1/recordings/${s}/links`),
      ),
    },
    { weight: 1, arbitrary: on('GET', fc.constantFrom('/v1/health', '/v1/openapi.json')) },
    {
      weight: 4,
      arbitrary: fc.record({
        method: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE') },
          { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
        ),
        path: pathArbitrary(targets),
      }),
    },
  );
}

/** Usually absent: a second copy of a header, which the gateway joins with a comma. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** One request, described well enough that a failing case can be replayed by hand. */
export function requestArbitrary(targets: FuzzTargets): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      endpoint: endpointArbitrary(targets),
      query: queryArbitrary,
      authorization: authorizationArbitrary(targets),
      extraAuthorization: sometimes(authorizationArbitrary(targets)),
      contentType: contentTypeArbitrary,
      extraContentType: sometimes(contentTypeArbitrary),
      idempotencyKey: idempotencyKeyArbitrary,
      extraIdempotencyKey: sometimes(idempotencyKeyArbitrary),
      body: bodyArbitrary(targets),
    })
    .map((r) => {
      const headers: Array<[string, string]> = [];
      const add = (name: string, value: string | undefined) => {
        if (value !== undefined) headers.push([name, value]);
      };
      add('authorization', r.authorization);
      add('authorization', r.extraAuthorization);
      add('content-type', r.contentType);
      add('content-type', r.extraContentType);
      add('idempotency-key', r.idempotencyKey);
      add('idempotency-key', r.extraIdempotencyKey);
      const request: RawRequest = {
        method: r.endpoint.method,
        target: `${r.endpoint.path}${r.query}`,
        headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
      };
      return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
    })
    .filter((request) => headBytes(request) <= MAX_HEAD_BYTES);
}

/**
 * Node's HTTP server answers a request line plus headers above 16 KiB with a bare 431 before the API sees
 * it, as API Gateway answers its own limits; requests stay below that.
 */
const MAX_HEAD_BYTES = 15_000;

function headBytes(request: RawRequest): number {
  return (
    request.method.length +
    request.target.length +
    (request.headers ?? []).reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0) +
    100
  );
}

/** The request in one line, long values cut, for failure messages and fast-check's counterexamples. */
export function describeRequest(request: RawRequest): string {
  const cut = (value: string) =>
    value.length > 200 ? `${value.slice(0, 200)}…(${value.length} chars)` : value;
  const body = request.body
    ? ` body(${request.body.length} bytes)=${JSON.stringify(cut(request.body.toString('latin1')))}`
    : '';
  const headers = (request.headers ?? []).map(([name, value]) => `${name}: ${JSON.stringify(cut(value))}`);
  return `${request.method} ${cut(request.target)} [${headers.join('; ')}]${body}`;
}
