import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths, webhooks } from './schema.js';
export { verifyWebhook, WebhookVerificationError } from './verify-webhook.js';
export {
  RecordingsApiError,
  type WaitOptions,
  waitForArchive,
  waitForRecording,
} from './wait-for-recording.js';

export type Recording = components['schemas']['Recording'];
export type RecordingStatus = Recording['status'];
export type StartRecordingRequest = components['schemas']['StartRecordingRequest'];
export type Link = components['schemas']['Link'];
export type Archive = components['schemas']['Archive'];
export type ApiErrorBody = components['schemas']['Error'];
export type WebhookEvent = components['schemas']['WebhookEvent'];

/** Every route of the API, typed from the OpenAPI document: `client.POST('/v1/recordings', { body })`. */
export type RecordingsClient = Client<paths>;

export interface RecordingsClientOptions {
  /** Where the API is: the stack's `ApiUrl` output, or local mode's API address. */
  readonly baseUrl: string;
  /** The client's API key; the public routes (health, links) need none. */
  readonly apiKey?: string;
  readonly fetch?: (request: Request) => Promise<Response>;
}

export function createRecordingsClient(options: RecordingsClientOptions): RecordingsClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    redirect: 'manual',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
