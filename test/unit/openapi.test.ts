import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../lambdas/http/openapi.js';
import * as examples from '../../lambdas/http/openapi-examples.js';
import {
  BulkDeleteRequestSchema,
  BulkDeleteResultSchema,
  CreateLinkRequestSchema,
  HealthSchema,
  LinkSchema,
  RecordingListSchema,
  RecordingSchema,
  StartRecordingRequestSchema,
  StopRecordingRequestSchema,
  WebhookEventSchema,
} from '../../lambdas/http/schemas.js';
import { ROUTES } from '../../lambdas/routes.js';
import packageJson from '../../package.json' with { type: 'json' };

/** Runs a linter's CLI on the committed document; both answer JSON whatever they find. */
function lint(command: string, args: string[]): string {
  return execFileSync(`node_modules/.bin/${command}`, ['lint', 'docs/openapi.json', ...args], {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

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

  it("passes Redocly's recommended ruleset with no warning", () => {
    const report = JSON.parse(lint('redocly', ['--config', 'docs/redocly.yaml', '--format=json'])) as {
      problems: Array<{ ruleId: string; message: string; location: unknown }>;
    };
    expect(report.problems.map(({ ruleId, message }) => `${ruleId}: ${message}`)).toEqual([]);
  });

  it("passes Spectral's OpenAPI ruleset (spectral:oas) with no warning", () => {
    const results = JSON.parse(
      lint('spectral', ['--ruleset', 'docs/spectral.yaml', '-f', 'json', '-q']),
    ) as Array<{
      code: string;
      message: string;
      path: string[];
    }>;
    expect(results.map(({ code, message, path }) => `${code} at ${path.join('.')}: ${message}`)).toEqual([]);
  });

  it('names every operation for generators and gives its examples in the shapes the handlers answer', () => {
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item)) as Array<{
      operationId: string;
      tags: string[];
      description: string;
    }>;
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(ROUTES.length);
    for (const operation of operations) {
      expect(operation.tags.length, operation.operationId).toBe(1);
      expect(operation.description.length, operation.operationId).toBeGreaterThan(20);
    }
    const checks = [
      [StartRecordingRequestSchema, examples.START_REQUEST_EXAMPLE],
      [RecordingSchema, examples.STARTED_RECORDING_EXAMPLE],
      [RecordingSchema, examples.STOPPING_RECORDING_EXAMPLE],
      [RecordingSchema, examples.UPLOADED_RECORDING_EXAMPLE],
      [RecordingListSchema, examples.LIST_EXAMPLE],
      [StopRecordingRequestSchema, examples.STOP_REQUEST_EXAMPLE],
      [BulkDeleteRequestSchema, examples.BULK_DELETE_REQUEST_EXAMPLE],
      [BulkDeleteResultSchema, examples.BULK_DELETE_RESULT_EXAMPLE],
      [CreateLinkRequestSchema, examples.LINK_REQUEST_EXAMPLE],
      [LinkSchema, examples.LINK_EXAMPLE],
      [HealthSchema, examples.HEALTH_EXAMPLE],
      [WebhookEventSchema, examples.WEBHOOK_EVENT_EXAMPLE],
    ] as const;
    for (const [schema, example] of checks) expect(schema.parse(example)).toEqual(example);
    expect(Object.keys(document.webhooks)).toEqual(['recordingEvent']);
  });
});
