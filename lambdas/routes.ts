/**
 * Every HTTP route of the API and the handler module that serves it (relative to lambdas/handlers/api,
 * without extension). The CDK api construct and the local API server both read this table.
 */
export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway route path, with `{param}` placeholders. */
  readonly path: string;
  /** Module under lambdas/handlers/api/, exporting `handler`. */
  readonly handler: string;
  /** Whether the client API-key authorizer guards the route. */
  readonly authorized: boolean;
  /** Only deployed when the link mode is `redirect`. */
  readonly redirectModeOnly?: boolean;
  /** The function's timeout when a route may need more than the default 10 s (API Gateway waits 30 s). */
  readonly timeoutSeconds?: number;
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'POST', path: '/v1/recordings', handler: 'start-recording', authorized: true },
  { method: 'GET', path: '/v1/recordings', handler: 'list-recordings', authorized: true },
  { method: 'GET', path: '/v1/recordings/{id}', handler: 'get-recording', authorized: true },
  {
    method: 'POST',
    path: '/v1/recordings/bulk-delete',
    handler: 'bulk-delete-recordings',
    authorized: true,
    timeoutSeconds: 28,
  },
  { method: 'POST', path: '/v1/recordings/{id}/stop', handler: 'stop-recording', authorized: true },
  { method: 'DELETE', path: '/v1/recordings/{id}', handler: 'delete-recording', authorized: true },
  { method: 'POST', path: '/v1/recordings/{id}/links', handler: 'create-link', authorized: true },
  { method: 'POST', path: '/v1/archives', handler: 'create-archive', authorized: true },
  { method: 'GET', path: '/v1/archives/{id}', handler: 'get-archive', authorized: true },
  {
    method: 'GET',
    path: '/v1/links/{token}',
    handler: 'follow-link',
    authorized: false,
    redirectModeOnly: true,
  },
  { method: 'GET', path: '/v1/health', handler: 'health', authorized: false },
  { method: 'GET', path: '/v1/openapi.json', handler: 'openapi', authorized: false },
];
