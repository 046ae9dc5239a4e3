import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { MatchedRoute } from './routes.js';

/** What the conversion reads from a request: a subset of node:http's IncomingMessage. */
export interface RequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headersDistinct: Record<string, string[] | undefined>;
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
}

export interface EventOptions {
  readonly requestId: string;
  readonly now: Date;
}

const TEXT_CONTENT_TYPE =
  /^(text\/|application\/([a-z0-9.+-]*\+)?(json|xml)\b|application\/(javascript|x-www-form-urlencoded)\b)/i;

const ACCOUNT_ID = '000000000000';
const API_ID = 'local';
const STAGE = '$default';

/**
 * The API Gateway HTTP API (payload format 2.0) event for `req`: lower-cased headers with duplicates
 * comma-joined, cookies split out of the `cookie` header, duplicate query parameters comma-joined, optional
 * fields absent when empty, a body base64-encoded unless its content type is textual.
 */
export function toApiGatewayEvent(
  req: RequestLike,
  route: MatchedRoute,
  body: Buffer,
  options: EventOptions = { requestId: crypto.randomUUID(), now: new Date() },
): APIGatewayProxyEventV2 {
  const method = (req.method ?? 'GET').toUpperCase();
  const target = req.url ?? '/';
  const queryIndex = target.indexOf('?');
  const rawPath = queryIndex === -1 ? target : target.slice(0, queryIndex);
  const rawQueryString = queryIndex === -1 ? '' : target.slice(queryIndex + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') cookies = values.flatMap((value) => value.split(';').map((part) => part.trim()));
    else headers[key] = values.join(',');
  }
  cookies = cookies.filter((cookie) => cookie.length > 0);

  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = queryStringParameters[name];
    queryStringParameters[name] = previous === undefined ? value : `${previous},${value}`;
  }

  const sourceIp = (req.socket?.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const textual = TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: { ...route.pathParameters } } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: options.requestId,
      routeKey: route.routeKey,
      stage: STAGE,
      time: clfTime(options.now),
      timeEpoch: options.now.getTime(),
    },
    ...(body.length > 0
      ? { body: textual ? body.toString('utf8') : body.toString('base64'), isBase64Encoded: !textual }
      : { isBase64Encoded: false }),
  };
}

/** The event a payload-2.0 REQUEST authorizer without identity sources receives for the same request. */
export function toAuthorizerEvent(event: APIGatewayProxyEventV2): APIGatewayRequestAuthorizerEventV2 {
  const { method, path } = event.requestContext.http;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:${ACCOUNT_ID}:${API_ID}/${STAGE}/${method}${path}`,
    identitySource: [],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    cookies: event.cookies ?? [],
    headers: event.headers,
    queryStringParameters: event.queryStringParameters ?? {},
    requestContext: event.requestContext,
    pathParameters: event.pathParameters ?? {},
    stageVariables: {},
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `23/Nov/2026:09:41:07 +0000`, the format of `requestContext.time`. */
function clfTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
