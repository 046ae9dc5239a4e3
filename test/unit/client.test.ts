import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createRecordingsClient,
  RecordingsApiError,
  verifyWebhook,
  WebhookVerificationError,
  waitForArchive,
  waitForRecording,
} from '../../client/src/index.js';
import { openApiDocument } from '../../lambdas/http/openapi.js';
import { UPLOADED_RECORDING_EXAMPLE } from '../../lambdas/http/openapi-examples.js';
import { webhookHeaders } from '../../lambdas/webhooks/webhook-events.js';
import packageJson from '../../package.json' with { type: 'json' };
import { CLIENT_SCHEMA_PATH, clientSchemaSource } from '../../scripts/client-schema.js';

const SECRET = `whsec_${Buffer.from('a secret of thirty-two bytes....').toString('base64')}`;

/** A fetch that answers each request with the next of `answers`, and keeps the requests. */
function scriptedFetch(answers: Array<[number, unknown, Record<string, string>?]>) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request);
    const [status, body, headers] = answers.shift() ?? [500, {}];
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  };
  return { fetch, requests };
}

const recording = (status: string) => ({ ...UPLOADED_RECORDING_EXAMPLE, status });

describe('the client package', () => {
  it('is regenerated whenever the OpenAPI document changes (run `npm run openapi`)', async () => {
    expect(readFileSync(CLIENT_SCHEMA_PATH, 'utf8')).toBe(
      await clientSchemaSource(openApiDocument(packageJson.version)),
    );
  });

  it('shows in the README the quickstart that the end-to-end test runs', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(
      readFileSync('client/examples/quickstart.ts', 'utf8'),
    );
  });

  it('builds with its own tsconfig, and the built module exports the client', async () => {
    rmSync('client/dist', { recursive: true, force: true });
    execFileSync('npm', ['run', 'build', '--workspace', '@meeting-recorder/client'], { stdio: 'pipe' });
    const built = await import(pathToFileURL(resolve('client/dist/index.js')).href);
    expect(Object.keys(built).sort()).toEqual([
      'RecordingsApiError',
      'WebhookVerificationError',
      'createRecordingsClient',
      'verifyWebhook',
      'waitForArchive',
      'waitForRecording',
    ]);
  });

  it('sends the API key and the typed body, and reads the typed answer', async () => {
    const { fetch, requests } = scriptedFetch([[202, recording('INVOKED')]]);
    const client = createRecordingsClient({ baseUrl: 'https://api.test/', apiKey: 'mr_live_x', fetch });
    const { data } = await client.POST('/v1/recordings', {
      body: { meetingId: 'm', meetingUrl: 'https://meet.example.com/m', host: { email: 'h@example.com' } },
      params: { header: { 'Idempotency-Key': 'k-1' } },
    });
    expect(data?.status).toBe('INVOKED');
    expect(requests[0]!.url).toBe('https://api.test/v1/recordings');
    expect(requests[0]!.headers.get('authorization')).toBe('Bearer mr_live_x');
    expect(requests[0]!.headers.get('idempotency-key')).toBe('k-1');
  });
});

describe('waitForArchive', () => {
  it('reads the archive until it is no longer PENDING, asking again after a busy answer', async () => {
    const archive = (status: string) => ({
      id: 'arc_1',
      status,
      recordingIds: [],
      url: null,
      expiresAt: null,
      sizeBytes: null,
      error: null,
    });
    const { fetch, requests } = scriptedFetch([
      [200, archive('PENDING')],
      [503, { error: { code: 'unavailable', message: 'busy' } }],
      [200, archive('FAILED')],
    ]);
    const client = createRecordingsClient({ baseUrl: 'https://api.test', fetch });
    expect((await waitForArchive(client, 'arc_1', { intervalMs: 1 })).status).toBe('FAILED');
    expect(requests.map((request) => new URL(request.url).pathname)).toEqual(
      Array(3).fill('/v1/archives/arc_1'),
    );
    const missing = createRecordingsClient({
      baseUrl: 'https://api.test',
      fetch: scriptedFetch([[404, { error: { code: 'not_found', message: 'No such archive.' } }]]).fetch,
    });
    await expect(waitForArchive(missing, 'arc_1')).rejects.toThrow(/404 not_found/);
  });
});

describe('waitForRecording', () => {
  it('asks again after throttling or a busy answer, honouring Retry-After, until the status is reached', async () => {
    const { fetch, requests } = scriptedFetch([
      [200, recording('RECORDING')],
      [503, { error: { code: 'unavailable', message: 'busy' } }, { 'retry-after': '0' }],
      [429, { message: 'Too Many Requests' }],
      [200, recording('UPLOADED')],
    ]);
    const client = createRecordingsClient({ baseUrl: 'https://api.test', fetch });
    const done = await waitForRecording(client, 'rec_1', ['UPLOADED'], { intervalMs: 1 });
    expect(done.status).toBe('UPLOADED');
    expect(requests.map((request) => new URL(request.url).pathname)).toEqual(
      Array(4).fill('/v1/recordings/rec_1'),
    );
  });

  it('stops early at ERRORED when waiting for statuses, but not for a condition', async () => {
    const client = createRecordingsClient({
      baseUrl: 'https://api.test',
      fetch: scriptedFetch([[200, recording('ERRORED')]]).fetch,
    });
    expect((await waitForRecording(client, 'rec_1', ['UPLOADED'], { intervalMs: 1 })).status).toBe('ERRORED');
    const patient = createRecordingsClient({
      baseUrl: 'https://api.test',
      fetch: scriptedFetch([
        [200, recording('ERRORED')],
        [200, { ...recording('ERRORED'), error: { code: 'launch_failed', message: 'x' } }],
      ]).fetch,
    });
    const errored = await waitForRecording(patient, 'rec_1', (r) => r.error !== null, { intervalMs: 1 });
    expect(errored.error?.code).toBe('launch_failed');
  });

  it('waits as long as Retry-After asks, so a wait that would pass the deadline gives up at once', async () => {
    const { fetch, requests } = scriptedFetch([
      [503, { error: { code: 'unavailable', message: 'busy' } }, { 'retry-after': '1' }],
      [200, recording('UPLOADED')],
    ]);
    const client = createRecordingsClient({ baseUrl: 'https://api.test', fetch });
    await expect(
      waitForRecording(client, 'rec_1', ['UPLOADED'], { intervalMs: 1, timeoutMs: 500 }),
    ).rejects.toThrow(/answer 503/);
    expect(requests).toHaveLength(1);
  });

  it('throws the contract error of any other answer, and gives up at the deadline', async () => {
    const missing = createRecordingsClient({
      baseUrl: 'https://api.test',
      fetch: scriptedFetch([[404, { error: { code: 'not_found', message: 'No such recording.' } }]]).fetch,
    });
    const error = await waitForRecording(missing, 'rec_1', ['UPLOADED']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecordingsApiError);
    expect(error).toMatchObject({ status: 404, code: 'not_found' });

    const slow = createRecordingsClient({
      baseUrl: 'https://api.test',
      fetch: scriptedFetch(
        Array.from({ length: 50 }, () => [200, recording('RECORDING')] as [number, unknown]),
      ).fetch,
    });
    await expect(
      waitForRecording(slow, 'rec_1', ['UPLOADED'], { intervalMs: 5, timeoutMs: 30 }),
    ).rejects.toThrow(/did not get there within 30 ms \(status RECORDING\)/);
  });
});

describe('verifyWebhook', () => {
  const body = JSON.stringify({ type: 'recording.uploaded', id: 'evt_1', createdAt: 'x', data: {} });
  const now = Math.floor(Date.now() / 1000);

  it('accepts what the service signs, as a Headers or a Node headers object, and returns the event', () => {
    const headers = webhookHeaders(SECRET, 'evt_1', now, body);
    expect(verifyWebhook(SECRET, headers, body).type).toBe('recording.uploaded');
    expect(verifyWebhook(SECRET, new Headers(headers), Buffer.from(body)).id).toBe('evt_1');
  });

  it('refuses an altered body, another secret and a replay of an old delivery', () => {
    const headers = webhookHeaders(SECRET, 'evt_1', now, body);
    expect(() => verifyWebhook(SECRET, headers, body.replace('uploaded', 'deleted'))).toThrow(
      WebhookVerificationError,
    );
    const other = `whsec_${Buffer.from('another secret of thirty-two by').toString('base64')}`;
    expect(() => verifyWebhook(other, headers, body)).toThrow(WebhookVerificationError);
    const old = webhookHeaders(SECRET, 'evt_1', now - 3600, body);
    expect(() => verifyWebhook(SECRET, old, body)).toThrow(WebhookVerificationError);
  });
});
