import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ROUTES, type RouteDefinition } from '../lambdas/routes.js';
import { toApiGatewayEvent, toAuthorizerEvent } from './api/event.js';
import { lambdaContext } from './api/lambda-context.js';
import {
  contractError,
  gatewayError,
  type HttpResponse,
  INTERNAL_SERVER_ERROR,
  toHttpResponse,
} from './api/response.js';
import { matchRoute } from './api/routes.js';
import { LOOPBACK } from './emulators/ports.js';
import { stopServer } from './stop-server.js';

export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

/** HTTP API's own request limit; the handlers enforce the contract's 64 KiB themselves. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 30_000;

export interface ApiServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Defaults to lambdas/routes.ts, without the redirect-only routes unless `linkMode` is `redirect`. */
  routes?: readonly RouteDefinition[];
  /** Defaults to process.env.LINK_MODE. */
  linkMode?: string;
  /** Loads a handler by module name (`authorizer`, or an API route's handler); defaults to importing lambdas/handlers. */
  loadHandler?: (name: string) => Promise<LambdaHandler>;
  /** Receives one line per request and any handler failure. */
  log?: (line: string) => void;
}

export interface ApiServer {
  readonly url: string;
  stop(): Promise<void>;
}

export const AUTHORIZER = 'authorizer';

/**
 * Imports `lambdas/handlers/authorizer.ts` or `lambdas/handlers/api/<name>.ts` on first use, so a handler
 * that fails to load fails its own route only (and is retried on the next request).
 */
export function importHandlers(): (name: string) => Promise<LambdaHandler> {
  const loaded = new Map<string, Promise<LambdaHandler>>();
  return (name) => {
    let handler = loaded.get(name);
    if (!handler) {
      const path =
        name === AUTHORIZER ? '../lambdas/handlers/authorizer.ts' : `../lambdas/handlers/api/${name}.ts`;
      handler = import(new URL(path, import.meta.url).href).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function') throw new Error(`${path} exports no handler function`);
        return module.handler as LambdaHandler;
      });
      handler.catch(() => loaded.delete(name));
      loaded.set(name, handler);
    }
    return handler;
  };
}

/** Serves the API's routes on loopback the way API Gateway (HTTP API, payload 2.0) invokes the handlers. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const linkMode = options.linkMode ?? process.env.LINK_MODE;
  const routes =
    options.routes ?? ROUTES.filter((route) => !route.redirectModeOnly || linkMode === 'redirect');
  const loadHandler = options.loadHandler ?? importHandlers();
  const log = options.log ?? (() => {});

  const invoke = async (name: string, event: unknown): Promise<unknown> => {
    const handler = await loadHandler(name);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new IntegrationTimeout()), INTEGRATION_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        handler(event as never, lambdaContext(`local-${name}`, INTEGRATION_TIMEOUT_MS)),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  const respond = async (req: IncomingMessage): Promise<HttpResponse> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = matchRoute(routes, method, path);
    if (!route) {
      req.resume();
      return contractError(404, 'not_found', `No route for ${method} ${path}.`);
    }
    const body = await readBody(req);
    if (body === undefined) {
      return contractError(
        413,
        'payload_too_large',
        `Request bodies are limited to ${GATEWAY_MAX_BODY_BYTES} bytes.`,
      );
    }
    const event: APIGatewayProxyEventV2 = toApiGatewayEvent(req, route, body, {
      requestId: randomUUID(),
      now: new Date(),
    });
    try {
      if (route.definition.authorized) {
        const decision = (await invoke(AUTHORIZER, toAuthorizerEvent(event))) as {
          isAuthorized?: unknown;
          context?: Record<string, unknown>;
        };
        if (decision?.isAuthorized !== true) return gatewayError(403, 'Forbidden');
        Object.assign(event.requestContext, { authorizer: { lambda: decision.context ?? {} } });
      }
      return toHttpResponse(await invoke(route.definition.handler, event));
    } catch (error) {
      log(`${route.routeKey}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return error instanceof IntegrationTimeout
        ? gatewayError(503, 'Service Unavailable')
        : INTERNAL_SERVER_ERROR;
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    respond(req)
      .catch((error: unknown) => {
        log(`${req.method} ${req.url}: ${String(error)}`);
        return INTERNAL_SERVER_ERROR;
      })
      .then((response) => {
        writeResponse(res, response);
        log(`${req.method} ${req.url} ${response.statusCode} ${Date.now() - started}ms`);
      });
  });
  const host = options.host ?? LOOPBACK;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    stop: () => stopServer(server),
  };
}

class IntegrationTimeout extends Error {}

/** The request body, or undefined when it exceeds the gateway's limit (the rest is read and dropped). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GATEWAY_MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('end', () => resolve(size > GATEWAY_MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function writeResponse(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string | string[]> = { ...response.headers };
  if (response.cookies.length > 0) headers['set-cookie'] = [...response.cookies];
  res.writeHead(response.statusCode, headers);
  res.end(response.body);
}
