import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ROUTES } from '../../lambdas/routes.js';
import { toApiGatewayEvent, toAuthorizerEvent } from '../../local/api/event.js';
import { matchRoute } from '../../local/api/routes.js';

export interface ApiCall {
  key?: string;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or the text of any other type of answer. */
  // biome-ignore lint/suspicious/noExplicitAny: answers are JSON whose shape each test asserts
  body: any;
}

const context = {
  functionName: 'test',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 30_000,
} as Context;
type Handler = (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Calls the real handler of a route the way API Gateway does: the authorizer first, its context into the
 * event, then the route's handler. Handlers are imported on first use, after the test set the environment.
 */
export async function invokeApi(method: string, target: string, call: ApiCall = {}): Promise<ApiAnswer> {
  const path = target.split('?')[0] ?? target;
  const route = matchRoute(ROUTES, method, path);
  if (!route)
    return { status: 404, headers: {}, body: { error: { code: 'not_found', message: 'No route' } } };
  const body =
    call.rawBody !== undefined
      ? Buffer.from(call.rawBody)
      : call.body !== undefined
        ? Buffer.from(JSON.stringify(call.body))
        : Buffer.alloc(0);
  const headers: Record<string, string[]> = {
    host: ['api.test'],
    ...(call.body !== undefined ? { 'content-type': ['application/json'] } : {}),
    ...(call.key ? { authorization: [`Bearer ${call.key}`] } : {}),
  };
  for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = [value];
  const event: APIGatewayProxyEventV2 & { requestContext: { authorizer?: unknown } } = toApiGatewayEvent(
    { method, url: target, headersDistinct: headers },
    route,
    body,
  );
  if (route.definition.authorized) {
    const { handler: authorize } = (await import('../../lambdas/handlers/authorizer.js')) as {
      handler: Handler;
    };
    const verdict = (await authorize(toAuthorizerEvent(event as never), context)) as unknown as {
      context: Record<string, string>;
    };
    event.requestContext.authorizer = { lambda: verdict.context };
  }
  const { handler } = (await import(`../../lambdas/handlers/api/${route.definition.handler}.ts`)) as {
    handler: Handler;
  };
  const result = await handler(event, context);
  const text = result.body ?? '';
  const answered = (result.headers ?? {}) as Record<string, string>;
  const json = (answered['content-type'] ?? 'application/json').startsWith('application/json');
  return {
    status: result.statusCode ?? 200,
    headers: answered,
    body: text && json ? JSON.parse(text) : text || undefined,
  };
}
