import { z } from 'zod';
import { ARCHIVE_LIMIT } from '../archives/archive.js';
import type { ErrorCode } from '../domain/errors.js';
import { ERROR_STATUS } from '../domain/errors.js';
import { ROUTES, type RouteDefinition } from '../routes.js';
import { WEBHOOK_DELIVERY_TIMEOUT_MS } from '../webhooks/delivery-timing.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-event-types.js';
import {
  ARCHIVE_REQUEST_EXAMPLE,
  BULK_DELETE_REQUEST_EXAMPLE,
  BULK_DELETE_RESULT_EXAMPLE,
  errorExample,
  GATEWAY_THROTTLED_EXAMPLE,
  HEALTH_EXAMPLE,
  LINK_EXAMPLE,
  LINK_REQUEST_EXAMPLE,
  LIST_EXAMPLE,
  PENDING_ARCHIVE_EXAMPLE,
  READY_ARCHIVE_EXAMPLE,
  START_REQUEST_EXAMPLE,
  STARTED_RECORDING_EXAMPLE,
  STOP_REQUEST_EXAMPLE,
  STOPPING_RECORDING_EXAMPLE,
  UPLOADED_RECORDING_EXAMPLE,
  WATCH_PAGE_EXAMPLE,
  WEBHOOK_EVENT_EXAMPLE,
} from './openapi-examples.js';
import {
  ArchiveSchema,
  BulkDeleteRequestSchema,
  BulkDeleteResultSchema,
  CreateArchiveRequestSchema,
  CreateLinkRequestSchema,
  ErrorSchema,
  GatewayErrorSchema,
  HealthSchema,
  LinkSchema,
  ListRecordingsQuerySchema,
  RecordingListSchema,
  RecordingSchema,
  StartRecordingRequestSchema,
  StopRecordingRequestSchema,
  WebhookEventSchema,
} from './schemas.js';

type Tag = 'Recordings' | 'Archives' | 'Links' | 'Service';

interface JsonBody {
  readonly schema: z.ZodType;
  readonly example: unknown;
}

interface ResponseSpec {
  readonly description: string;
  readonly json?: JsonBody;
  /** An HTML page, with an example of it. */
  readonly html?: string;
  readonly headers?: Record<string, { description: string; schema: object }>;
}

interface Operation {
  readonly operationId: string;
  readonly tag: Tag;
  readonly summary: string;
  readonly description: string;
  readonly request?: JsonBody;
  /** Honours `Idempotency-Key`. */
  readonly idempotent?: boolean;
  readonly responses: Record<string, ResponseSpec>;
  /** The errors of this operation's own logic; those of authentication, size and schema checks are added. */
  readonly errors: readonly ErrorCode[];
}

const TAGS: Record<Tag, string> = {
  Recordings: 'Start, stop, read and delete recordings of meetings, and make download links for their files.',
  Archives: 'One ZIP of several recordings, built in the background, to download with a short-lived URL.',
  Links: 'The download link emailed to the host (the `redirect` link mode).',
  Service: 'Health and this document.',
};

const RETRY_AFTER = {
  description: 'Seconds to wait before retrying',
  schema: { type: 'integer', minimum: 1 },
};

const OPERATIONS: Record<string, Operation> = {
  'POST /v1/recordings': {
    operationId: 'startRecording',
    tag: 'Recordings',
    summary: 'Start recording a meeting',
    description:
      'Sends a recorder to the meeting page. The recording is `INVOKED` until the recorder captures, then `RECORDING`. ' +
      'A meeting (client and `meetingId`) has at most one live recording: a second start answers 409 ' +
      '`meeting_already_recording` with the live one in `details`. With an `Idempotency-Key`, a repeat of the same ' +
      'request within 24 hours answers the first response again.',
    request: { schema: StartRecordingRequestSchema, example: START_REQUEST_EXAMPLE },
    idempotent: true,
    responses: {
      '202': {
        description: 'Accepted; the recorder is starting',
        json: { schema: RecordingSchema, example: STARTED_RECORDING_EXAMPLE },
        headers: {
          Location: {
            description: 'The recording',
            schema: { type: 'string', example: '/v1/recordings/rec_…' },
          },
        },
      },
    },
    errors: ['meeting_already_recording', 'conflict'],
  },
  'GET /v1/recordings': {
    operationId: 'listRecordings',
    tag: 'Recordings',
    summary: 'List recordings, newest first',
    description:
      "One page of the client's recordings, optionally of one meeting or in one status. Pass `nextCursor` as " +
      '`cursor` for the next page; it is `null` on the last one. A cursor is valid only for the query that made it.',
    responses: {
      '200': {
        description: 'A page of recordings',
        json: { schema: RecordingListSchema, example: LIST_EXAMPLE },
      },
    },
    errors: ['validation_failed'],
  },
  'GET /v1/recordings/{id}': {
    operationId: 'getRecording',
    tag: 'Recordings',
    summary: 'Get a recording',
    description:
      "The recording's current state. Another client's recording answers 404, like one that does not exist.",
    responses: {
      '200': {
        description: 'The recording',
        json: { schema: RecordingSchema, example: UPLOADED_RECORDING_EXAMPLE },
      },
    },
    errors: ['not_found'],
  },
  'POST /v1/recordings/{id}/stop': {
    operationId: 'stopRecording',
    tag: 'Recordings',
    summary: 'Stop a recording (host only)',
    description:
      'Ends the recording; the file is finished and the host emailed. When `requestedBy` is given it must be the host ' +
      '(403 otherwise). Stopping a recording that is already stopping or stopped answers 200 and changes nothing.',
    request: { schema: StopRecordingRequestSchema, example: STOP_REQUEST_EXAMPLE },
    idempotent: true,
    responses: {
      '202': {
        description: 'Stopping',
        json: { schema: RecordingSchema, example: STOPPING_RECORDING_EXAMPLE },
      },
      '200': {
        description: 'Already stopping or stopped; nothing changed',
        json: { schema: RecordingSchema, example: UPLOADED_RECORDING_EXAMPLE },
      },
    },
    errors: ['forbidden', 'not_found'],
  },
  'DELETE /v1/recordings/{id}': {
    operationId: 'deleteRecording',
    tag: 'Recordings',
    summary: 'Delete a recording and its file',
    description:
      'Deletes the file and marks the recording `DELETED`; every link to it stops working. Deleting a deleted ' +
      'recording answers 204 again. A live recording (`INVOKED`, `RECORDING`, `UPLOADING`) answers 409.',
    responses: { '204': { description: 'Deleted' } },
    errors: ['not_found', 'conflict'],
  },
  'POST /v1/recordings/bulk-delete': {
    operationId: 'bulkDeleteRecordings',
    tag: 'Recordings',
    summary: 'Delete several recordings',
    description:
      "Deletes up to 100 recordings given by id, or a meeting's recordings that are not deleted yet (newest " +
      'first, up to 100; call again for more), each exactly as `DELETE /v1/recordings/{id}` would. Answers 200 ' +
      "with each one's outcome: 204 deleted (also when it already was), 404 no such recording (another " +
      "client's included), 409 live. Repeating the request deletes nothing twice.",
    request: { schema: BulkDeleteRequestSchema, example: BULK_DELETE_REQUEST_EXAMPLE },
    idempotent: true,
    responses: {
      '200': {
        description: "Each recording's outcome, in the order asked",
        json: { schema: BulkDeleteResultSchema, example: BULK_DELETE_RESULT_EXAMPLE },
      },
    },
    errors: [],
  },
  'POST /v1/recordings/{id}/links': {
    operationId: 'createLink',
    tag: 'Recordings',
    summary: 'Create a fresh download link',
    description:
      "A new link to the file, valid for `expiresInSeconds` but never past the recording's `expiresAt`, when " +
      'lifecycle deletes the file (then `cappedByRetention` is true). 409 unless `UPLOADED`, and once `expiresAt` has passed.',
    request: { schema: CreateLinkRequestSchema, example: LINK_REQUEST_EXAMPLE },
    idempotent: true,
    responses: { '201': { description: 'The link', json: { schema: LinkSchema, example: LINK_EXAMPLE } } },
    errors: ['not_found', 'conflict'],
  },
  'POST /v1/archives': {
    operationId: 'createArchive',
    tag: 'Archives',
    summary: 'Ask for a ZIP of several recordings',
    description:
      `Starts building one ZIP of up to ${ARCHIVE_LIMIT} \`UPLOADED\` recordings' files (at most 10 GiB in all), in the order ` +
      'given; poll `GET /v1/archives/{id}` until `READY`. The same set of recordings, in any order, is the same ' +
      'archive: asking again answers 200 with it instead of building another, and builds it anew only once it ' +
      'failed or expired. An unknown or foreign recording answers 404, one not `UPLOADED` 409; both list the ids ' +
      'in `details`. A built archive can be downloaded for 24 hours.',
    request: { schema: CreateArchiveRequestSchema, example: ARCHIVE_REQUEST_EXAMPLE },
    idempotent: true,
    responses: {
      '202': {
        description: 'Accepted; the archive is being built',
        json: { schema: ArchiveSchema, example: PENDING_ARCHIVE_EXAMPLE },
      },
      '200': {
        description: 'The same recordings were already asked for: that archive, building or built',
        json: { schema: ArchiveSchema, example: READY_ARCHIVE_EXAMPLE },
      },
    },
    errors: ['not_found', 'conflict', 'validation_failed'],
  },
  'GET /v1/archives/{id}': {
    operationId: 'getArchive',
    tag: 'Archives',
    summary: 'Get an archive and, once built, a URL to download it',
    description:
      'While `PENDING`, poll again. Once `READY`, each call gives a fresh `url`, valid for an hour (never past the ' +
      "archive's own 24 hours). `FAILED` says why in `error`; ask for the archive again to rebuild it. An archive " +
      'whose recording was deleted since is deleted too (410); an expired or unknown one answers 404.',
    responses: {
      '200': { description: 'The archive', json: { schema: ArchiveSchema, example: READY_ARCHIVE_EXAMPLE } },
    },
    errors: ['not_found', 'gone'],
  },
  'GET /v1/links/{token}': {
    operationId: 'followLink',
    tag: 'Links',
    summary: 'Open an emailed link (redirect link mode only)',
    description:
      'No API key: the token is the credential. A browser (`Accept: text/html`) gets the watch page: the meeting, a ' +
      'player that streams the file with seeking, a download button and when the link expires. Any other client, ' +
      'and `?download=1`, gets a redirect to a short-lived URL of the file. An unknown token answers 404; an expired ' +
      'one, or one whose recording was deleted, 410.',
    responses: {
      '200': { description: 'The watch page (for `Accept: text/html`)', html: WATCH_PAGE_EXAMPLE },
      '302': {
        description: 'Redirect to the file',
        headers: {
          Location: { description: 'A URL of the file, valid for 5 minutes', schema: { type: 'string' } },
        },
      },
    },
    errors: ['not_found', 'gone', 'unavailable'],
  },
  'GET /v1/health': {
    operationId: 'getHealth',
    tag: 'Service',
    summary: 'Health',
    description: 'Answers 200 with the deployed version while the API serves requests. No API key.',
    responses: { '200': { description: 'Healthy', json: { schema: HealthSchema, example: HEALTH_EXAMPLE } } },
    errors: [],
  },
  'GET /v1/openapi.json': {
    operationId: 'getOpenApiDocument',
    tag: 'Service',
    summary: 'This document',
    description:
      'The OpenAPI 3.1 document of this deployment, generated from the schemas the handlers validate with.',
    responses: {
      '200': {
        description: 'OpenAPI 3.1 document',
        json: { schema: z.looseObject({ openapi: z.string() }), example: { openapi: '3.1.0' } },
      },
    },
    errors: [],
  },
};

const ref = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : z.toJSONSchema(schema, { target: 'draft-2020-12' });
};

/** Errors every route of its kind can answer, besides its own. */
function commonErrors(route: RouteDefinition, operation: Operation): ErrorCode[] {
  return [
    ...(route.authorized ? (['unauthorized', 'unavailable'] as const) : []),
    ...(operation.request ? (['validation_failed', 'unsupported_media_type'] as const) : []),
    // A key already used for another request, or held by a twin still in progress.
    ...(operation.idempotent ? (['conflict'] as const) : []),
    'payload_too_large',
    'internal',
  ];
}

function errorResponses(codes: readonly ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes))
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, statusCodes]) => [
      String(status),
      {
        description: `Error: ${statusCodes.map((code) => `\`${code}\``).join(' or ')}`,
        ...(status === 503 ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
        content: {
          'application/json': {
            schema: ref(ErrorSchema),
            examples: Object.fromEntries(statusCodes.map((code) => [code, { value: errorExample(code) }])),
          },
        },
      },
    ]),
  );
}

const THROTTLED = {
  description: "Throttled by the stage's rate limit; API Gateway answers with its own body",
  content: { 'application/json': { schema: ref(GatewayErrorSchema), example: GATEWAY_THROTTLED_EXAMPLE } },
};

function jsonContent(body: JsonBody) {
  return { 'application/json': { schema: ref(body.schema), example: body.example } };
}

function responses(operation: Operation, errorCodes: readonly ErrorCode[]) {
  const answers = Object.entries(operation.responses).map(([status, response]) => [
    status,
    {
      description: response.description,
      ...(response.headers ? { headers: response.headers } : {}),
      ...(response.json ? { content: jsonContent(response.json) } : {}),
      ...(response.html
        ? { content: { 'text/html': { schema: { type: 'string' }, example: response.html } } }
        : {}),
    },
  ]);
  return Object.fromEntries([...answers, ...Object.entries(errorResponses(errorCodes)), ['429', THROTTLED]]);
}

function queryParameters() {
  const schema = z.toJSONSchema(ListRecordingsQuerySchema, { io: 'input' }) as {
    properties: Record<string, { description?: string }>;
  };
  const descriptions: Record<string, string> = {
    meetingId: "Only this meeting's recordings",
    status: 'Only recordings in this status',
    limit: 'Page size',
    cursor: '`nextCursor` of the previous page',
  };
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: 'query',
    description: descriptions[name],
    schema: property,
  }));
}

function parameters(route: RouteDefinition, operation: Operation) {
  return [
    ...[...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      description:
        match[1] === 'token'
          ? 'The token of the link'
          : route.path.startsWith('/v1/archives')
            ? 'The archive id (`arc_…`)'
            : 'The recording id (`rec_…`)',
      schema: { type: 'string' },
    })),
    ...(route.path === '/v1/recordings' && route.method === 'GET' ? queryParameters() : []),
    ...(operation.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Repeats of the same request with the same key within 24 hours answer the first response',
            schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
          },
        ]
      : []),
  ];
}

const WEBHOOK_HEADERS = [
  ['webhook-id', 'The event id; the same on every redelivery'],
  ['webhook-timestamp', 'Unix seconds of this attempt'],
  ['webhook-signature', '`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` with the client\'s secret'],
] as const;

function webhooks() {
  return {
    recordingEvent: {
      post: {
        operationId: 'receiveRecordingEvent',
        tags: ['Recordings'],
        summary: 'A change of one of your recordings',
        description:
          `Sent to the client's webhook URL on each change: ${WEBHOOK_EVENT_TYPES.map((type) => `\`${type}\``).join(', ')}. ` +
          'Signed the Standard Webhooks way; verify the signature and the timestamp before trusting the body. ' +
          'Delivered at least once, retried with backoff until the endpoint answers 2xx; deduplicate by `webhook-id`. ' +
          '`recording.warning` fires 600, 300 and 60 seconds before the maximum duration.',
        parameters: WEBHOOK_HEADERS.map(([name, description]) => ({
          name,
          in: 'header',
          required: true,
          description,
          schema: { type: 'string' },
        })),
        requestBody: {
          required: true,
          content: jsonContent({ schema: WebhookEventSchema, example: WEBHOOK_EVENT_EXAMPLE }),
        },
        responses: {
          '200': { description: 'Any 2xx acknowledges the event' },
          '4XX': {
            description: `Any other answer, or none within ${WEBHOOK_DELIVERY_TIMEOUT_MS / 1000} seconds, is retried`,
          },
          '5XX': { description: 'Retried, like any answer but 2xx' },
        },
      },
    },
  };
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
    const routeParameters = parameters(route, operation);
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: operation.operationId,
      tags: [operation.tag],
      summary: operation.summary,
      description: operation.description,
      ...(route.authorized ? {} : { security: [] }),
      ...(routeParameters.length ? { parameters: routeParameters } : {}),
      ...(operation.request
        ? { requestBody: { required: false, content: jsonContent(operation.request) } }
        : {}),
      responses: responses(operation, [...operation.errors, ...commonErrors(route, operation)]),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Meeting recordings API',
      version,
      description:
        'Record a meeting: a bot joins the meeting page, records screen and sound into one file, and the host is ' +
        'emailed a download link valid for 7 days. Every route but the public ones needs a client API key.',
      contact: { name: 'The operators of this deployment' },
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Client API key' } },
      schemas: components,
    },
    paths,
    webhooks: webhooks(),
  };
}
