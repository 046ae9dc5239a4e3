import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError } from '../domain/errors.js';
import { logger } from '../observability.js';
import { isTransactionConflict } from '../store/dynamo-recording-store.js';

/** Dependency answers that mean "busy or briefly unwell, retry". */
const TRANSIENT_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalServerError',
  'TransactionConflictException',
  'TimeoutError',
]);
/** Socket errors: a dependency that cannot be reached right now (a network blip, a restarting emulator). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

export function isTransient(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  return (
    TRANSIENT_ERRORS.has(name ?? '') || UNREACHABLE_CODES.has(code ?? '') || isTransactionConflict(error)
  );
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** The one place where any error becomes the contract's error body. Internals never leak. */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (error instanceof ApiError) {
    return jsonResponse(error.status, {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details.length ? { details: error.details } : {}),
      },
    });
  }
  if (isTransient(error)) {
    logger.warn('Dependency busy', { error });
    return jsonResponse(
      503,
      { error: { code: 'unavailable', message: 'The service is busy; retry shortly.' } },
      { 'retry-after': '2' },
    );
  }
  logger.error('Unhandled error', { error });
  return jsonResponse(500, { error: { code: 'internal', message: 'Something went wrong on our side.' } });
}
