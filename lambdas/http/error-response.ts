import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isTransientAwsError } from '../aws-errors.js';
import { ApiError } from '../domain/errors.js';
import { logger } from '../observability.js';

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
  if (isTransientAwsError(error)) {
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
