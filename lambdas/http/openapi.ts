import { z } from 'zod';
import { ROUTES } from '../routes.js';
import {
  CreateLinkRequestSchema,
  ErrorSchema,
  HealthSchema,
  LinkSchema,
  ListRecordingsQuerySchema,
  RecordingListSchema,
  RecordingSchema,
  StartRecordingRequestSchema,
  StopRecordingRequestSchema,
} from './schemas.js';

type Operation = {
  summary: string;
  request?: z.ZodType;
  responses: Record<string, { description: string; schema?: z.ZodType; headers?: Record<string, unknown> }>;
};

const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${z.globalRegistry.get(schema)?.id}` });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: 'Error', schema: ErrorSchema }]));

const OPERATIONS: Record<string, Operation> = {
  'POST /v1/recordings': {
    summary: 'Start recording a meeting',
    request: StartRecordingRequestSchema,
    responses: {
      '202': { description: 'Accepted; the recorder is starting', schema: RecordingSchema },
      ...errors(400, 401, 409, 413, 415, 503),
    },
  },
  'GET /v1/recordings': {
    summary: 'List recordings, newest first',
    responses: {
      '200': { description: 'A page of recordings', schema: RecordingListSchema },
      ...errors(400, 401),
    },
  },
  'GET /v1/recordings/{id}': {
    summary: 'Get a recording',
    responses: { '200': { description: 'The recording', schema: RecordingSchema }, ...errors(401, 404) },
  },
  'POST /v1/recordings/{id}/stop': {
    summary: 'Stop a recording (host only)',
    request: StopRecordingRequestSchema,
    responses: {
      '202': { description: 'Stopping', schema: RecordingSchema },
      '200': { description: 'Already stopping or stopped; nothing changed', schema: RecordingSchema },
      ...errors(400, 401, 403, 404),
    },
  },
  'DELETE /v1/recordings/{id}': {
    summary: 'Delete a recording and its file',
    responses: { '204': { description: 'Deleted' }, ...errors(401, 404, 409) },
  },
  'POST /v1/recordings/{id}/links': {
    summary: 'Create a fresh download link',
    request: CreateLinkRequestSchema,
    responses: { '201': { description: 'The link', schema: LinkSchema }, ...errors(400, 401, 404, 409) },
  },
  'GET /v1/links/{token}': {
    summary: 'Follow an emailed link (redirect link mode only)',
    responses: { '302': { description: 'Redirect to the file' }, ...errors(404, 410) },
  },
  'GET /v1/health': {
    summary: 'Health',
    responses: { '200': { description: 'Healthy', schema: HealthSchema } },
  },
  'GET /v1/openapi.json': {
    summary: 'This document',
    responses: { '200': { description: 'OpenAPI 3.1 document' } },
  },
};

function queryParameters() {
  const schema = z.toJSONSchema(ListRecordingsQuerySchema, { io: 'input' }) as {
    properties: Record<string, unknown>;
  };
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: 'query',
    schema: property,
  }));
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with. */
export function openApiDocument(version: string) {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'output',
  }) as { schemas: Record<string, Record<string, unknown>> };
  const components = Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _ignored, $id: _uri, id: _id, ...rest } = schema;
      return [id, rest];
    }),
  );
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const key = `${route.method} ${route.path}`;
    const operation = OPERATIONS[key];
    if (!operation) throw new Error(`No OpenAPI description for ${key}`);
    const parameters = [
      ...[...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
        name: match[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(key === 'GET /v1/recordings' ? queryParameters() : []),
      ...(route.method === 'POST'
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ]
        : []),
    ];
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: operation.summary,
      ...(route.authorized ? {} : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(operation.request
        ? {
            requestBody: {
              required: false,
              content: { 'application/json': { schema: ref(operation.request) } },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(operation.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema ? { content: { 'application/json': { schema: ref(response.schema) } } } : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Meeting recordings API', version },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Client API key' } },
      schemas: components,
    },
    paths,
  };
}
