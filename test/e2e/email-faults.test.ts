import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingError } from '../../lambdas/domain/recording-errors.js';
import type { LocalMode } from '../../local/local-mode.js';
import {
  clientFor,
  emailsTo,
  SCRIPTED_RECORDER,
  startBody,
  startTestLocalMode,
  waitForEmailTo,
  waitForRecording,
} from './local-mode.js';

/**
 * SES faults the emulator cannot produce, injected on the wire: a proxy in front of aws-ses-v2-local
 * answers SendEmail the way SES does when it throttles or rejects, and forwards everything else.
 */
type Fault = { kind: 'throttle'; times: number } | { kind: 'reject' } | { kind: 'none' };
let fault: Fault = { kind: 'none' };
let sendAttempts = 0;
let proxy: Server;
let local: LocalMode;

function startSesProxy(target: string): Promise<string> {
  proxy = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const isSend = request.method === 'POST' && request.url?.startsWith('/v2/email/outbound-emails');
    if (isSend) sendAttempts += 1;
    const answer = (status: number, type: string, message: string) =>
      response
        .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
        .end(JSON.stringify({ message }));
    if (isSend && fault.kind === 'throttle' && fault.times > 0) {
      fault.times -= 1;
      return answer(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
    }
    if (isSend && fault.kind === 'reject')
      return answer(400, 'MessageRejected', 'Email address is not verified.');
    const forwarded = await fetch(new URL(request.url ?? '/', target), {
      method: request.method,
      headers: Object.fromEntries(
        Object.entries(request.headers)
          .filter(([name]) => !['host', 'content-length', 'connection'].includes(name))
          .map(([name, value]) => [name, String(value)]),
      ),
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    response.writeHead(forwarded.status, {
      'content-type': forwarded.headers.get('content-type') ?? 'application/json',
    });
    response.end(Buffer.from(await forwarded.arrayBuffer()));
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  local = await startTestLocalMode({
    apiKeys: [{ clientId: 'mail-faults', key: 'mrk_e2e_mail_faults' }],
    recorderCommand: SCRIPTED_RECORDER,
  });
  // The workflow's functions run in this process and create their SES client on first use, after this.
  process.env.AWS_ENDPOINT_URL_SESV2 = await startSesProxy(local.endpoints.ses);
});
afterAll(async () => {
  await local?.stop();
  await new Promise((resolve) => proxy?.close(resolve));
});

async function recordAndStop() {
  const client = clientFor(local);
  const body = startBody(local, { meetingUrl: `${local.endpoints.demoMeeting}?script=ok` });
  const { id } = (await client.POST('/v1/recordings', { body })).data!;
  return { client, body, id };
}

describe('the host email when SES misbehaves', () => {
  it('throttled past the retries of the SDK, then accepted: the workflow retries, one email is sent', async () => {
    // The SDK tries 3 times in one invocation; 4 refusals make NotifyHost fail with EmailThrottled once.
    fault = { kind: 'throttle', times: 4 };
    sendAttempts = 0;
    const { client, body, id } = await recordAndStop();
    const emailed = await waitForRecording(client, id, (recording) => recording.email !== null, 120_000);
    expect(emailed).toMatchObject({ status: 'UPLOADED', error: null, email: { to: body.host.email } });
    expect(sendAttempts).toBe(5);
    const mail = await waitForEmailTo(local, body.host.email, 30_000);
    expect(mail.subject).toBe('Your recording "E2E meeting" is ready');
    const download = await fetch(/https?:\/\/\S+/.exec(mail.body.text ?? '')![0]);
    expect(download.status).toBe(200);
  });

  it('rejected for good: the failure is written on the recording, which stays UPLOADED; nothing is sent', async () => {
    fault = { kind: 'reject' };
    const { client, body, id } = await recordAndStop();
    const failed = await waitForRecording(client, id, (recording) => recording.error !== null, 120_000);
    // The public message is the code's own; SES's MessageRejected goes to the logs only.
    expect(failed).toMatchObject({ status: 'UPLOADED', email: null, error: recordingError('email_failed') });
    expect(await emailsTo(local, body.host.email)).toEqual([]);
    const link = await client.POST('/v1/recordings/{id}/links', { params: { path: { id } } });
    expect(link.response.status).toBe(201);
  });
});
