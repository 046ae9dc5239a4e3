import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../lambdas/http/openapi.js';
import { ROUTES } from '../../lambdas/routes.js';
import packageJson from '../../package.json' with { type: 'json' };

describe('the OpenAPI document', () => {
  const document = openApiDocument(packageJson.version);

  it('is committed as generated (run `npm run openapi` after changing a schema)', () => {
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(document);
  });

  it('describes every route, with the contract error body and resolvable references', () => {
    for (const route of ROUTES) {
      const operation = (document.paths[route.path] as Record<string, { responses: object }>)[
        route.method.toLowerCase()
      ];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
    }
    const text = JSON.stringify(document);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      expect(document.components.schemas, name).toHaveProperty(name!);
    }
    const start = document.components.schemas.StartRecordingRequest as {
      required: string[];
      additionalProperties: boolean;
    };
    expect(start.required).toEqual(['meetingId', 'meetingUrl', 'host']);
    expect(start.additionalProperties).toBe(false);
    expect(document.components.schemas.Error).toBeDefined();
  });
});
