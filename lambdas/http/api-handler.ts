import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { z } from 'zod';
import { ApiError } from '../domain/errors.js';
import { logger, metrics, tracer } from '../observability.js';
import { errorResponse } from './error-response.js';
import { type IdempotencyStore, withIdempotencyKey } from './idempotency.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** What the authorizer (lambdas/handlers/authorizer.ts) puts in the request context. */
export interface AuthorizerContext {
  clientId?: string;
  /** Why no client: no key, a bad key, or the key store could not be read in time. */
  denied?: 'missing' | 'invalid' | 'unavailable';
}

export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

export interface ApiRequest<Body, Query> {
  readonly event: ApiEvent;
  /** The calling client; empty on public routes. */
  readonly clientId: string;
  readonly body: Body;
  readonly query: Query;
  header(name: string): string | undefined;
}

interface ApiHandlerSpec<Body, Query> {
  /** Whether the route needs a client API key. */
  readonly authorized: boolean;
  /** Schema of the JSON body; an empty body is validated as `{}`. Routes without one ignore the body. */
  readonly body?: z.ZodType<Body>;
  readonly query?: z.ZodType<Query>;
  /** Where a POST route keeps its answers for `Idempotency-Key` (start keeps its own, in its transaction). */
  readonly idempotency?: IdempotencyStore;
}

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;.*)?$/i;

function authenticate(event: ApiEvent): string {
  const context = event.requestContext.authorizer?.lambda;
  if (context?.clientId) return context.clientId;
  if (context?.denied === 'unavailable') {
    throw new ApiError('unavailable', 'The service cannot check API keys right now; retry shortly.');
  }
  throw new ApiError(
    'unauthorized',
    context?.denied === 'invalid'
      ? 'The API key is not valid or has been revoked.'
      : 'Send your API key as "Authorization: Bearer <key>".',
  );
}

function validationError(error: z.ZodError, where: string): ApiError {
  return new ApiError(
    'validation_failed',
    `The request ${where} is not valid.`,
    error.issues.map((issue) => ({
      field: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
      ...('keys' in issue ? { unknownFields: issue.keys } : {}),
    })),
  );
}

/** The request body's bytes; every route refuses more than 64 KiB, whether it reads a body or not. */
function rawBody(event: ApiEvent): Buffer | null {
  if (!event.body) return null;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body);
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new ApiError('payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  }
  return raw;
}

function parseBody<Body>(event: ApiEvent, raw: Buffer | null, schema: z.ZodType<Body>): Body {
  const text = raw?.toString('utf8').trim() ?? '';
  let value: unknown = {};
  if (text.length > 0) {
    const contentType = event.headers['content-type'] ?? '';
    if (!JSON_CONTENT_TYPE.test(contentType)) {
      throw new ApiError(
        'unsupported_media_type',
        'Send the body as JSON with "content-type: application/json".',
      );
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError('validation_failed', 'The request body is not valid JSON.');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, 'body');
  return parsed.data;
}

function parseQuery<Query>(event: ApiEvent, schema: z.ZodType<Query>): Query {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw validationError(parsed.error, 'query');
  return parsed.data;
}

/**
 * Wraps a route's logic with what every API handler needs, in the Powertools order: logger, tracer,
 * metrics; then authentication, size, media type and schema checks; the error mapping last, so every
 * failure, whatever its cause, answers in the contract's error shape.
 */
export function apiHandler<Body = undefined, Query = undefined>(
  spec: ApiHandlerSpec<Body, Query>,
  route: (request: ApiRequest<Body, Query>) => Promise<APIGatewayProxyStructuredResultV2>,
) {
  const handle = async (event: ApiEvent, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const clientId = spec.authorized ? authenticate(event) : '';
    if (clientId) logger.appendKeys({ clientId });
    const raw = rawBody(event);
    const request: ApiRequest<Body, Query> = {
      event,
      clientId,
      body: spec.body ? parseBody(event, raw, spec.body) : (undefined as Body),
      query: spec.query ? parseQuery(event, spec.query) : (undefined as Query),
      header: (name) => event.headers[name.toLowerCase()],
    };
    return spec.idempotency
      ? withIdempotencyKey(spec.idempotency, request, () => route(request))
      : route(request);
  };
  return middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics))
    .use({
      onError: (request) => {
        request.response = errorResponse(request.error);
      },
    });
}
