import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError } from '../domain/errors.js';
import { logger } from '../observability.js';
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

export type IdempotencyStore = Pick<
  RecordingStore,
  'findIdempotencyRecord' | 'claimIdempotencyKey' | 'completeIdempotencyRecord' | 'releaseIdempotencyKey'
>;

const CONFLICT_MESSAGE = 'This Idempotency-Key was already used with a different request.';
const IN_PROGRESS_MESSAGE = 'A request with this Idempotency-Key is still in progress; retry shortly.';

/** How long a request may hold its key before a retry may take it over: past any API function's timeout. */
const CLAIM_SECONDS = 60;
const SEAL_INFO = 'meeting-recorder idempotency answer';

/**
 * Kept answers are sealed with a key derived from the Idempotency-Key, which the table holds only as a
 * hash: a copy of the table gives no working link out of a kept `POST …/links` answer.
 */
function sealingKey(idempotencyKey: string, clientId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', idempotencyKey, clientId, SEAL_INFO, 32));
}

function seal(text: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return ['v1', iv, sealed, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.');
}

function unseal(text: string, key: Buffer): string {
  const [, iv, sealed, tag] = text.split('.').map((part) => Buffer.from(part, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv!);
  decipher.setAuthTag(tag!);
  return Buffer.concat([decipher.update(sealed!), decipher.final()]).toString('utf8');
}

/**
 * `Idempotency-Key` on a POST route other than start (which writes its record in the start transaction).
 * The request claims the key first, so that a concurrent twin answers 409 instead of doing the work
 * twice; its first 2xx answer is then kept (sealed) for 24 hours and answered again to the same request
 * with the same key. The same key on another route, recording or body answers 409. An error answer is
 * not kept, since it changed nothing: the claim is freed and asking again does the work again.
 */
export async function withIdempotencyKey<Body, Query>(
  store: IdempotencyStore,
  request: ApiRequest<Body, Query>,
  run: () => Promise<APIGatewayProxyStructuredResultV2>,
): Promise<APIGatewayProxyStructuredResultV2> {
  const key = request.header('idempotency-key');
  checkIdempotencyKey(key);
  if (!key) return run();
  const { clientId } = request;
  const { method } = request.event.requestContext.http;
  const requestHash = createHash('sha256')
    .update(canonicalJson({ route: `${method} ${request.event.rawPath}`, body: request.body ?? null }))
    .digest('hex');
  const secret = sealingKey(key, clientId);
  const replay = async () => {
    const record = await store.findIdempotencyRecord(clientId, key);
    if (!record) return undefined;
    if (record.requestHash !== requestHash) throw new ApiError('conflict', CONFLICT_MESSAGE);
    if (record.statusCode === 0) throw new ApiError('conflict', IN_PROGRESS_MESSAGE);
    return answer(record.statusCode, unseal(record.body, secret));
  };
  const earlier = await replay();
  if (earlier) return earlier;
  if (!(await store.claimIdempotencyKey(clientId, key, requestHash, CLAIM_SECONDS))) {
    const twin = await replay();
    if (twin) return twin;
    throw new ApiError('conflict', IN_PROGRESS_MESSAGE);
  }
  const release = () =>
    store.releaseIdempotencyKey(clientId, key, requestHash).catch((error: unknown) => {
      logger.warn('Could not free an Idempotency-Key; it frees itself within a minute', { error });
    });
  let response: APIGatewayProxyStructuredResultV2;
  try {
    response = await run();
  } catch (error) {
    await release();
    throw error;
  }
  const statusCode = response.statusCode ?? 200;
  if (statusCode < 200 || statusCode >= 300) {
    await release();
    return response;
  }
  await store.completeIdempotencyRecord(clientId, {
    key,
    requestHash,
    statusCode,
    body: seal(response.body ?? '', secret),
  });
  return response;
}
function answer(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    ...(body ? { body } : {}),
  };
}
