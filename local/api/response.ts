export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

export const INTERNAL_SERVER_ERROR: HttpResponse = gatewayError(500, 'Internal Server Error');

/** The responses API Gateway itself gives (authorizer denial, integration failure). */
export function gatewayError(statusCode: number, message: string): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message })),
  };
}

export function contractError(statusCode: number, code: string, message: string): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ error: { code, message } })),
  };
}

/**
 * How an HTTP API reads a payload-2.0 Lambda result: an object with `statusCode` is a structured response;
 * anything else is a 200 JSON body (a string as is, other values serialised).
 */
export function toHttpResponse(result: unknown): HttpResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const structured = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      cookies?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
    };
    if (!Number.isInteger(structured.statusCode)) return INTERNAL_SERVER_ERROR;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    const cookies = Array.isArray(structured.cookies) ? structured.cookies.map(String) : [];
    const body = typeof structured.body === 'string' ? structured.body : '';
    return {
      statusCode: structured.statusCode as number,
      headers,
      cookies,
      body: structured.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(typeof result === 'string' ? result : (JSON.stringify(result) ?? '')),
  };
}
