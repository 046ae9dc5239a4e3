import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError } from '../domain/errors.js';
import type { RecordingStore } from '../store/recording-store.js';
import type { ApiRequest } from './api-handler.js';

const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ApiError('validation_failed', 'Idempotency-Key must be 1–255 printable ASCII characters.', [
      { field: 'header.Idempotency-Key', message: 'must be 1–255 printable ASCII characters' },
    ]);
  }
}

/** The canonical form of a request body, so that key order and spacing do not make two bodies differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type IdempotencyStore = Pick<RecordingStore, 'findIdempotencyRecord' | 'saveIdempotencyRecord'>;

const CONFLICT_MESSAGE = 'This Idempotency-Key was already used with a different request.';

/**
 * `Idempotency-Key` on a POST route other than start (which writes its record in the start transaction):
 * the first 2xx answer is kept for 24 hours and answered again to the same request with the same key;
 * the same key on another route, recording or body answers 409. An error answer is not kept, since it
 * changed nothing: asking again does the work again.
 */
export async function withIdempotencyKey<Body, Query>(
  store: IdempotencyStore,
  request: ApiRequest<Body, Query>,
  run: () => Promise<APIGatewayProxyStructuredResultV2>,
): Promise<APIGatewayProxyStructuredResultV2> {
  const key = request.header('idempotency-key');
  checkIdempotencyKey(key);
  if (!key) return run();
  const { method } = request.event.requestContext.http;
  const requestHash = createHash('sha256')
    .update(canonicalJson({ route: `${method} ${request.event.rawPath}`, body: request.body ?? null }))
    .digest('hex');
  const replay = async () => {
    const record = await store.findIdempotencyRecord(request.clientId, key);
    if (!record) return undefined;
    if (record.requestHash !== requestHash) throw new ApiError('conflict', CONFLICT_MESSAGE);
    return answer(record.statusCode, record.body);
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const response = await run();
  const statusCode = response.statusCode ?? 200;
  if (statusCode < 200 || statusCode >= 300) return response;
  const saved = await store.saveIdempotencyRecord(request.clientId, {
    key,
    requestHash,
    statusCode,
    body: response.body ?? '',
  });
  // A concurrent twin saved first: both did the same work; answer what it answered.
  return saved ? response : ((await replay()) ?? response);
}

function answer(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    ...(body ? { body } : {}),
  };
}
