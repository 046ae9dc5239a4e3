import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRecordingStore, recordingKey } from '../../lambdas/store/dynamo-recording-store.js';
import { setApiEnv, startBody } from '../support/api-env.js';
import { createApiKey } from '../support/api-keys.js';
import { bucketName, documents, s3, tableName } from '../support/aws.js';
import { invokeApi } from '../support/invoke-api.js';
import { uniqueClientId } from '../support/table.js';

setApiEnv();
// The workflow is the one AWS service the API reaches that these tests replace: its own tests run the
// synthesized state machine. Here it answers as Step Functions does, or fails on purpose.
const stepFunctions = mockClient(SFNClient);
const store = new DynamoRecordingStore(documents, tableName());

let key: string;
let otherKey: string;
let clientId: string;

beforeAll(async () => {
  clientId = uniqueClientId();
  key = (await createApiKey({ clientId })).key;
  otherKey = (await createApiKey({ clientId: uniqueClientId() })).key;
});

afterEach(() => {
  stepFunctions.reset();
});

function executionsStarted() {
  return stepFunctions.commandCalls(StartExecutionCommand);
}

let meetingCounter = 0;
const newMeetingId = () => `meeting-${Date.now()}-${meetingCounter++}`;

async function startRecording(overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  stepFunctions.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
  return invokeApi('POST', '/v1/recordings', {
    key,
    body: startBody({ meetingId: newMeetingId(), ...overrides }),
    headers,
  });
}

/** Drives a recording to UPLOADED the way the recorder and the workflow do, with a real file in S3. */
async function uploadedRecording() {
  const started = await startRecording();
  const id = started.body.id as string;
  const stored = await store.get(id);
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: stored!.objectKey, Body: 'video bytes' }));
  await store.transition(id, 'RECORDING', { startedAt: new Date().toISOString() });
  await store.transition(id, 'UPLOADING', { stoppedAt: new Date().toISOString(), stopReason: 'requested' });
  await store.transition(id, 'UPLOADED', { uploadedAt: new Date().toISOString() });
  return { id, objectKey: stored!.objectKey };
}

describe('authentication', () => {
  it('answers 401 in the contract shape without a key, with a bad key and with a revoked key', async () => {
    const revoked = await createApiKey({ clientId, revokedAt: new Date().toISOString() });
    for (const call of [{}, { key: 'mr_live_not-a-key' }, { key: revoked.key }]) {
      const answer = await invokeApi('GET', '/v1/recordings', call);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
      expect(typeof answer.body.error.message).toBe('string');
    }
  });

  it("answers API Gateway's $default route with the contract's 404", async () => {
    const { handler } = await import('../../lambdas/handlers/api/not-found.js');
    const answer = await handler(
      { rawPath: '/v2/nothing', headers: {}, requestContext: { http: { method: 'PUT' } } } as never,
      {} as never,
    );
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body ?? '{}')).toEqual({
      error: { code: 'not_found', message: 'No route PUT /v2/nothing.' },
    });
  });

  it('serves health and the OpenAPI document without a key', async () => {
    const health = await invokeApi('GET', '/v1/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', version: '1.2.3' } });
    const openapi = await invokeApi('GET', '/v1/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toContain('/v1/recordings/{id}/stop');
  });
});

describe('POST /v1/recordings', () => {
  it('accepts a recording, stores it with its lock and starts its workflow named after it', async () => {
    const answer = await startRecording();
    expect(answer.status).toBe(202);
    expect(answer.headers.location).toBe(`/v1/recordings/${answer.body.id}`);
    expect(answer.body).toMatchObject({
      status: 'INVOKED',
      meetingTitle: 'Weekly sync',
      host: { email: 'host@example.com', name: 'Ada', userId: 'u-42' },
      maxDurationSeconds: 3600,
      format: 'mp4',
      resolution: '720p',
      partial: false,
      stopReason: null,
      file: null,
      email: null,
      error: null,
    });
    expect(answer.body.id).toMatch(/^rec_[0-9A-Z]{26}$/);
    expect(answer.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(answer.body).not.toHaveProperty('clientId');
    const [call] = executionsStarted();
    expect(call?.args[0].input.name).toBe(answer.body.id);
    const input = JSON.parse(call?.args[0].input.input ?? '{}');
    expect(input).toMatchObject({
      recordingId: answer.body.id,
      maxDurationSeconds: 3600,
      timeoutSeconds: 3900,
    });
    expect(input.objectKey).toMatch(
      new RegExp(`^recordings/${clientId}/${answer.body.meetingId}/${answer.body.id}/Weekly sync-.*Z\\.mp4$`),
    );
  });

  it.each([
    ['an unknown field', { surprise: true }, 'body'],
    ['a bad meetingId', { meetingId: 'has spaces' }, 'body.meetingId'],
    ['an http URL', { meetingUrl: 'http://meet.example.com/r/1' }, 'body.meetingUrl'],
    ['a host off the allow-list', { meetingUrl: 'https://evil.example.net/r/1' }, 'body.meetingUrl'],
    ['a link-local address', { meetingUrl: 'https://169.254.169.254/latest/meta-data' }, 'body.meetingUrl'],
    ['a private address', { meetingUrl: 'https://10.0.0.8/r/1' }, 'body.meetingUrl'],
    ['a file URL', { meetingUrl: 'file:///etc/passwd' }, 'body.meetingUrl'],
    ['a javascript URL', { meetingUrl: 'javascript:alert(1)' }, 'body.meetingUrl'],
    ['credentials in the URL', { meetingUrl: 'https://user:pw@meet.example.com/r/1' }, 'body.meetingUrl'],
    [
      'a URL over 2048 characters',
      { meetingUrl: `https://meet.example.com/${'a'.repeat(2048)}` },
      'body.meetingUrl',
    ],
    ['a bad host email', { host: { email: 'not-an-email' } }, 'body.host.email'],
    ['a too short maximum', { maxDurationSeconds: 9 }, 'body.maxDurationSeconds'],
    ['a too long maximum', { maxDurationSeconds: 3601 }, 'body.maxDurationSeconds'],
    ['a fractional maximum', { maxDurationSeconds: 12.5 }, 'body.maxDurationSeconds'],
    ['an unknown format', { format: 'avi' }, 'body.format'],
    ['an unknown resolution', { resolution: '4k' }, 'body.resolution'],
    ['a title over 200 characters', { meetingTitle: 't'.repeat(201) }, 'body.meetingTitle'],
    [
      'a continuation of nothing',
      { continuationOf: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6' },
      'body.continuationOf',
    ],
  ])('refuses %s with 400 and changes nothing', async (_name, overrides, field) => {
    const meetingId = newMeetingId();
    const answer = await startRecording({ meetingId, ...overrides });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.details.map((detail: { field: string }) => detail.field)).toContain(field);
    expect(executionsStarted()).toHaveLength(0);
    const listed = await invokeApi('GET', `/v1/recordings?meetingId=${encodeURIComponent(meetingId)}`, {
      key,
    });
    expect(listed.body.items).toEqual([]);
  });

  it('refuses a body that is not JSON, not declared as JSON, or too large', async () => {
    const notJson = await invokeApi('POST', '/v1/recordings', {
      key,
      rawBody: '{"meetingId":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('validation_failed');

    const form = await invokeApi('POST', '/v1/recordings', {
      key,
      rawBody: 'meetingId=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('unsupported_media_type');

    const huge = await invokeApi('POST', '/v1/recordings', {
      key,
      body: startBody({ meetingTitle: 'x'.repeat(70_000) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    expect(executionsStarted()).toHaveLength(0);
  });

  it('answers 409 meeting_already_recording with the active id while the meeting is recorded', async () => {
    const meetingId = newMeetingId();
    const first = await startRecording({ meetingId });
    const second = await startRecording({ meetingId });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      code: 'meeting_already_recording',
      details: [{ recordingId: first.body.id }],
    });
  });

  it('creates exactly one recording when 50 starts for one meeting race', async () => {
    const meetingId = newMeetingId();
    const answers = await Promise.all(Array.from({ length: 50 }, () => startRecording({ meetingId })));
    const accepted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const answer of refused) expect(answer.body.error.details[0].recordingId).toBe(accepted[0]?.body.id);
    const listed = await invokeApi('GET', `/v1/recordings?meetingId=${meetingId}`, { key });
    expect(listed.body.items).toHaveLength(1);
  });

  it('replays the first answer for the same Idempotency-Key and body, and refuses another body', async () => {
    const meetingId = newMeetingId();
    const headers = { 'idempotency-key': `key-${meetingId}` };
    const first = await startRecording({ meetingId }, headers);
    const again = await startRecording({ meetingId }, headers);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(executionsStarted()).toHaveLength(1);
    const different = await startRecording({ meetingId, meetingTitle: 'Other' }, headers);
    expect(different.status).toBe(409);
    expect(different.body.error.code).toBe('conflict');
    const badKey = await startRecording({ meetingId: newMeetingId() }, { 'idempotency-key': 'tab\tkey' });
    expect(badKey.status).toBe(400);
  });

  it('leaves no recording and no lock when the workflow cannot start, and answers 503', async () => {
    const meetingId = newMeetingId();
    stepFunctions
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    stepFunctions
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    const failed = await invokeApi('POST', '/v1/recordings', { key, body: startBody({ meetingId }) });
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe('unavailable');
    expect(failed.body.error.message).not.toMatch(/down/);
    const lock = await documents.send(
      new GetCommand({ TableName: tableName(), Key: { pk: `LOCK#${clientId}#${meetingId}`, sk: 'LOCK' } }),
    );
    expect(lock.Item).toBeUndefined();
    expect((await store.get(failed.body.error.details?.[0]?.recordingId ?? 'none')) ?? null).toBeNull();
    const retried = await startRecording({ meetingId });
    expect(retried.status).toBe(202);
  });

  it('answers a refusal of StartExecution with 503 without asking again, and keeps nothing', async () => {
    const meetingId = newMeetingId();
    stepFunctions.on(StartExecutionCommand).rejects(
      Object.assign(new Error('Invalid State Machine Execution Input'), {
        name: 'InvalidExecutionInput',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const failed = await invokeApi('POST', '/v1/recordings', { key, body: startBody({ meetingId }) });
    expect(failed.status).toBe(503);
    expect(stepFunctions.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect(await startRecording({ meetingId })).toMatchObject({ status: 202 });
  });

  it.each([
    [
      'the execution exists',
      (describe: ReturnType<typeof stepFunctions.on>) => describe.resolves({ status: 'RUNNING' }),
    ],
    [
      'Step Functions cannot be asked either',
      (describe: ReturnType<typeof stepFunctions.on>) =>
        describe.rejects(Object.assign(new Error('took too long'), { name: 'TimeoutError' })),
    ],
  ])('keeps the recording and its lock when StartExecution times out and %s', async (_, answer) => {
    const meetingId = newMeetingId();
    stepFunctions
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('took too long'), { name: 'TimeoutError' }));
    answer(stepFunctions.on(DescribeExecutionCommand));
    const started = await invokeApi('POST', '/v1/recordings', { key, body: startBody({ meetingId }) });
    expect(started.status).toBe(202);
    const [describeCall] = stepFunctions.commandCalls(DescribeExecutionCommand);
    expect(describeCall?.args[0].input.executionArn).toMatch(
      new RegExp(`:execution:[^:]+:${started.body.id}$`),
    );
    expect((await store.get(started.body.id))?.status).toBe('INVOKED');
    const again = await startRecording({ meetingId });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual([{ recordingId: started.body.id }]);
  });

  it('continues an earlier recording of the same meeting', async () => {
    const { id } = await uploadedRecording();
    const earlier = await store.get(id);
    const next = await startRecording({ meetingId: earlier!.meetingId, continuationOf: id });
    expect(next.status).toBe(202);
    expect(next.body.continuationOf).toBe(id);
  });
});

describe('GET /v1/recordings/{id} and isolation', () => {
  it('answers the recording to its client and 404 to another client or an unknown id', async () => {
    const started = await startRecording();
    const mine = await invokeApi('GET', `/v1/recordings/${started.body.id}`, { key });
    expect(mine).toMatchObject({ status: 200, body: { id: started.body.id, status: 'INVOKED' } });
    const foreign = await invokeApi('GET', `/v1/recordings/${started.body.id}`, { key: otherKey });
    const unknown = await invokeApi('GET', '/v1/recordings/rec_01JDX8M8Y1T5Q6N0W2Z3C4V5B6', { key });
    const malformed = await invokeApi('GET', '/v1/recordings/..%2F..%2Fetc', { key });
    for (const answer of [foreign, unknown, malformed]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(unknown.body);
    }
    expect(foreign.body.error.code).toBe('not_found');
  });
});

describe('GET /v1/recordings', () => {
  it('pages newest first with a signed cursor, filters by meeting and status, and refuses forged cursors', async () => {
    const listClient = uniqueClientId();
    const listKey = (await createApiKey({ clientId: listClient })).key;
    stepFunctions.on(StartExecutionCommand).resolves({});
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      const answer = await invokeApi('POST', '/v1/recordings', {
        key: listKey,
        body: startBody({ meetingId: `m-${index % 2}-${index}` }),
      });
      ids.push(answer.body.id);
    }
    const first = await invokeApi('GET', '/v1/recordings?limit=2', { key: listKey });
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await invokeApi('GET', `/v1/recordings?limit=2&cursor=${first.body.nextCursor}`, {
      key: listKey,
    });
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
    const third = await invokeApi('GET', `/v1/recordings?limit=2&cursor=${second.body.nextCursor}`, {
      key: listKey,
    });
    expect(third.body.items.map((item: { id: string }) => item.id)).toEqual([ids[0]]);
    expect(third.body.nextCursor).toBeNull();

    const byMeeting = await invokeApi('GET', '/v1/recordings?meetingId=m-1-3', { key: listKey });
    expect(byMeeting.body.items.map((item: { id: string }) => item.id)).toEqual([ids[3]]);
    const byStatus = await invokeApi('GET', '/v1/recordings?status=UPLOADED', { key: listKey });
    expect(byStatus.body.items).toEqual([]);

    const cursor = first.body.nextCursor as string;
    const [payload, signature] = cursor.split('.');
    const tampered = `${Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('CLIENT#', 'CLIENT#x')).toString('base64url')}.${signature}`;
    for (const bad of [tampered, 'garbage', `${payload}.AAAA`]) {
      const answer = await invokeApi('GET', `/v1/recordings?cursor=${encodeURIComponent(bad)}`, {
        key: listKey,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
    }
    const foreign = await invokeApi('GET', `/v1/recordings?limit=2&cursor=${cursor}`, { key });
    expect(foreign.status).toBe(400);
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'status=NOPE',
      'meetingId=a%20b',
      'unknown=1',
    ]) {
      const answer = await invokeApi('GET', `/v1/recordings?${query}`, { key: listKey });
      expect(answer.status, query).toBe(400);
    }
  });
});

describe('POST /v1/recordings/{id}/stop', () => {
  it('lets only the host stop, answers 202 once and 200 after, and marks the stop for the recorder', async () => {
    const started = await startRecording();
    const path = `/v1/recordings/${started.body.id}/stop`;
    const stranger = await invokeApi('POST', path, { key, body: { requestedBy: { userId: 'u-99' } } });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.code).toBe('forbidden');
    const strangerByEmail = await invokeApi('POST', path, {
      key,
      body: { requestedBy: { email: 'eve@example.com' } },
    });
    expect(strangerByEmail.status).toBe(403);
    expect((await store.get(started.body.id))?.stopRequestedAt).toBeNull();

    const byHost = await invokeApi('POST', path, {
      key,
      body: { requestedBy: { email: 'HOST@example.com' } },
    });
    expect(byHost.status).toBe(202);
    expect((await store.get(started.body.id))?.stopRequestedAt).toEqual(expect.any(String));
    const again = await invokeApi('POST', path, { key });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(started.body.id);
    const foreign = await invokeApi('POST', path, { key: otherKey });
    expect(foreign.status).toBe(404);
    const badBody = await invokeApi('POST', path, { key, body: { requestedBy: { name: 'x' } } });
    expect(badBody.status).toBe(400);
  });

  it('accepts exactly one of 50 concurrent stops', async () => {
    const started = await startRecording();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => invokeApi('POST', `/v1/recordings/${started.body.id}/stop`, { key })),
    );
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(49);
  });

  it('answers 200 and changes nothing for a recording already stopped', async () => {
    const { id } = await uploadedRecording();
    const answer = await invokeApi('POST', `/v1/recordings/${id}/stop`, { key });
    expect(answer).toMatchObject({ status: 200, body: { status: 'UPLOADED' } });
    expect((await store.get(id))?.stopRequestedAt).toBeNull();
  });
});

describe('DELETE /v1/recordings/{id} and links', () => {
  it('refuses to delete or link a live recording with 409', async () => {
    const started = await startRecording();
    const deleted = await invokeApi('DELETE', `/v1/recordings/${started.body.id}`, { key });
    expect(deleted.status).toBe(409);
    expect(deleted.body.error.code).toBe('conflict');
    const link = await invokeApi('POST', `/v1/recordings/${started.body.id}/links`, { key });
    expect(link.status).toBe(409);
  });

  it('issues a working link to an uploaded recording, then deletes the file and marks it DELETED', async () => {
    const { id, objectKey } = await uploadedRecording();
    const link = await invokeApi('POST', `/v1/recordings/${id}/links`, {
      key,
      body: { expiresInSeconds: 3600 },
    });
    expect(link.status).toBe(201);
    expect(link.body.cappedByRetention).toBe(false);
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeGreaterThan(3590_000);
    expect(new URL(link.body.url).searchParams.get('X-Amz-Expires')).toBe('3600');
    const download = await fetch(link.body.url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('video bytes');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="Weekly sync-/);

    for (const seconds of [59, 604801]) {
      const bad = await invokeApi('POST', `/v1/recordings/${id}/links`, {
        key,
        body: { expiresInSeconds: seconds },
      });
      expect(bad.status).toBe(400);
    }
    expect((await invokeApi('DELETE', `/v1/recordings/${id}`, { key: otherKey })).status).toBe(404);

    const deleted = await invokeApi('DELETE', `/v1/recordings/${id}`, { key });
    expect(deleted.status).toBe(204);
    expect((await invokeApi('GET', `/v1/recordings/${id}`, { key })).body.status).toBe('DELETED');
    await expect(s3.send(new GetObjectCommand({ Bucket: bucketName(), Key: objectKey }))).rejects.toThrow();
    expect((await fetch(link.body.url)).status).toBe(404);
    expect((await invokeApi('DELETE', `/v1/recordings/${id}`, { key })).status).toBe(204);
    expect((await invokeApi('POST', `/v1/recordings/${id}/links`, { key })).status).toBe(409);
  });
});

/** The retention is the deployment's; a test moves a recording's end instead of waiting for it. */
async function setExpiresAt(id: string, expiresAt: string) {
  await documents.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: recordingKey(id),
      UpdateExpression: 'SET expiresAt = :expiresAt',
      ExpressionAttributeValues: { ':expiresAt': expiresAt },
    }),
  );
}

describe('links and the retention', () => {
  it("caps a link at the recording's expiresAt and says so", async () => {
    const { id } = await uploadedRecording();
    const expiresAt = new Date(Date.now() + 7200_000).toISOString();
    await setExpiresAt(id, expiresAt);
    const link = await invokeApi('POST', `/v1/recordings/${id}/links`, { key });
    expect(link.status).toBe(201);
    expect(link.body.cappedByRetention).toBe(true);
    expect(Date.parse(link.body.expiresAt)).toBeLessThanOrEqual(Date.parse(expiresAt));
    expect(Date.parse(link.body.expiresAt)).toBeGreaterThan(Date.parse(expiresAt) - 60_000);
    const seconds = Number(new URL(link.body.url).searchParams.get('X-Amz-Expires'));
    expect(seconds).toBeLessThanOrEqual(7200);
    expect(seconds).toBeGreaterThan(7100);
  });

  it('answers 409 conflict for a recording at or past its expiresAt', async () => {
    const { id } = await uploadedRecording();
    await setExpiresAt(id, new Date(Date.now() - 1000).toISOString());
    const link = await invokeApi('POST', `/v1/recordings/${id}/links`, { key });
    expect(link.status).toBe(409);
    expect(link.body.error.code).toBe('conflict');
    expect(link.body.error.message).toMatch(/retention ended/);
  });
});
