import type { RouteDefinition } from '../../lambdas/routes.js';

export interface MatchedRoute {
  readonly definition: RouteDefinition;
  /** `METHOD /path/{param}`, as API Gateway names the route. */
  readonly routeKey: string;
  /** Decoded values of the `{param}` segments. */
  readonly pathParameters: Record<string, string>;
}

/**
 * Finds the route API Gateway would pick for `method` and `path` (no query string). A `{param}` matches one
 * non-empty segment. Like an HTTP API, a path that exists under another method is simply not found.
 */
export function matchRoute(
  routes: readonly RouteDefinition[],
  method: string,
  path: string,
): MatchedRoute | undefined {
  const segments = path.split('/');
  for (const definition of routes) {
    if (definition.method !== method) continue;
    const pattern = definition.path.split('/');
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      if (param === undefined) return part === segment;
      if (segment === '') return false;
      pathParameters[param] = safeDecode(segment);
      return true;
    });
    if (matches) return { definition, routeKey: `${definition.method} ${definition.path}`, pathParameters };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
