import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { isTransientAwsError } from '../aws-errors.js';
import { documents } from '../clients.js';
import { env } from '../config.js';
import type { AuthorizerContext } from '../http/api-handler.js';
import { logger, tracer } from '../observability.js';
import { ApiKeyStore } from '../store/api-key-store.js';

/** How long a key's verdict is reused in this container: a revocation takes effect within this. */
const CACHE_MILLISECONDS = 30_000;

const keys = new ApiKeyStore(documents, env('TABLE_NAME'));
const verdicts = new Map<string, { clientId: string | undefined; until: number }>();

/** The key's client, `undefined` for a bad key, or `unavailable` when the store cannot answer in time. */
async function clientFor(key: string): Promise<string | undefined | 'unavailable'> {
  const cached = verdicts.get(key);
  if (cached && cached.until > Date.now()) return cached.clientId;
  let clientId: string | undefined;
  try {
    clientId = await keys.authenticate(key);
  } catch (error) {
    if (!isTransientAwsError(error)) throw error;
    // The last verdict is safe to reuse while the store is unreachable: it was true moments ago, and a
    // revocation then takes effect when the store answers again.
    logger.warn('API key store unavailable', { error, cachedVerdict: cached !== undefined });
    return cached ? cached.clientId : 'unavailable';
  }
  if (verdicts.size > 10_000) verdicts.clear();
  verdicts.set(key, { clientId, until: Date.now() + CACHE_MILLISECONDS });
  return clientId;
}

/**
 * Lets every request through with its verdict in the context, so that the route answers a missing or
 * bad key with the contract's 401 body (API Gateway's own 401/403 bodies cannot be changed on HTTP APIs).
 */
async function authorize(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return { isAuthorized: true, context: { denied: 'missing' } };
  const clientId = await clientFor(match[1]);
  if (clientId === 'unavailable') return { isAuthorized: true, context: { denied: 'unavailable' } };
  if (!clientId) {
    logger.warn('Rejected API key', { sourceIp: event.requestContext.http.sourceIp });
    return { isAuthorized: true, context: { denied: 'invalid' } };
  }
  return { isAuthorized: true, context: { clientId } };
}

export const handler = middy(authorize).use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer));
