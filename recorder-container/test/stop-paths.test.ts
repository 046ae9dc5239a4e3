import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startDynamoDb } from '../../local/emulators/dynamodb.js';
import { ensureTable } from '../../local/emulators/table.js';
import { type FakeStepFunctions, startFakeStepFunctions } from './support/fake-step-functions.js';
import { probeMedia } from './support/media-analysis.js';
import { recordedWallSeconds, reportOf, type Stage, sleep, startStage } from './support/recording-session.js';

const TABLE = 'recordings';
let stage: Stage;
let dynamodb: RunningEmulator;
let documents: DynamoDBDocumentClient;
let stepFunctions: FakeStepFunctions;

beforeAll(async () => {
  [stage, dynamodb, stepFunctions] = await Promise.all([
    startStage(),
    startDynamoDb({ port: 0 }),
    startFakeStepFunctions(),
  ]);
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, TABLE);
  documents = DynamoDBDocumentClient.from(client);
}, 120_000);
afterAll(async () => {
  documents?.destroy();
  await Promise.allSettled([stage?.close(), dynamodb?.stop(), stepFunctions?.close()]);
});

async function item(id: string): Promise<Record<string, unknown> | undefined> {
  const answer = await documents.send(
    new GetCommand({ TableName: TABLE, Key: { pk: `REC#${id}`, sk: 'REC' } }),
  );
  return answer.Item;
}

async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value ${JSON.stringify(value)}`);
    await sleep(250);
  }
}

describe('stop paths', () => {
  it('the stop request of the API: RECORDING, the 60 s warning, UPLOADING and the task callbacks', async () => {
    const tokenCallbacks = stepFunctions.callbacks.length;
    const recording = stage.record('/meeting', {
      TABLE_NAME: TABLE,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
      TASK_TOKEN: 'token-stop-request',
      TASK_ARN: 'arn:aws:ecs:us-east-1:123456789012:task/recorders/abc',
      MAX_DURATION_SECONDS: '66',
      HEARTBEAT_SECONDS: '2',
      STOP_POLL_SECONDS: '1',
    });
    await documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: `REC#${recording.id}`,
          sk: 'REC',
          type: 'recording',
          status: 'INVOKED',
          stopRequestedAt: null,
        },
      }),
    );
    await recording.process.waitFor('recording_started');
    const recordingItem = await eventually(
      () => item(recording.id),
      (value) => value?.['status'] === 'RECORDING',
    );
    expect(recordingItem).toMatchObject({ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/recorders/abc' });
    expect(Date.parse(String(recordingItem?.['startedAt']))).toBeGreaterThan(Date.now() - 30_000);
    await eventually(
      () => item(recording.id),
      (value) => value?.['lastWarningSeconds'] === 60,
    );

    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `REC#${recording.id}`, sk: 'REC' },
        UpdateExpression: 'SET stopRequestedAt = :now',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
    const requestedAt = Date.now();
    expect(await recording.process.exited).toBe(0);
    expect(recording.process.find('stop_triggered')).toMatchObject({ reason: 'requested' });
    expect(Date.parse(recording.process.find('stop_triggered')!.at) - requestedAt).toBeLessThan(2500);
    expect(await item(recording.id)).toMatchObject({
      status: 'UPLOADING',
      stopReason: 'requested',
      partial: false,
    });

    const mine = stepFunctions.callbacks.slice(tokenCallbacks);
    expect(mine.filter((callback) => callback.action === 'SendTaskHeartbeat').length).toBeGreaterThanOrEqual(
      2,
    );
    const success = mine.find((callback) => callback.action === 'SendTaskSuccess');
    expect(success?.body['taskToken']).toBe('token-stop-request');
    const report = JSON.parse(String(success?.body['output']));
    expect(report).toEqual(reportOf(recording.process));
    expect(report).toMatchObject({ objectKey: recording.key, stopReason: 'requested', partial: false });
    const facts = await probeMedia(await recording.download());
    expect(Math.abs(facts.duration - recordedWallSeconds(recording.process))).toBeLessThan(1);
  });

  it('its own maximum duration', async () => {
    const recording = stage.record('/meeting', { MAX_DURATION_SECONDS: '6' });
    expect(await recording.process.exited).toBe(0);
    expect(reportOf(recording.process)).toMatchObject({ stopReason: 'max_duration', partial: false });
    const facts = await probeMedia(await recording.download());
    expect(Math.abs(facts.duration - 6)).toBeLessThan(1);
  });

  it.each([
    ['window.meetingRecorder.end()', '/flaky/2/meeting?end=4'],
    ['a meeting-recorder:end message', '/meeting?end=4&endBy=message'],
  ])('the meeting page ending the meeting through %s (after retried page loads)', async (_hook, page) => {
    const recording = stage.record(page);
    expect(await recording.process.exited).toBe(0);
    expect(reportOf(recording.process)).toMatchObject({ stopReason: 'meeting_ended', partial: false });
    expect(recording.process.find('stop_triggered')).toMatchObject({ detail: 'host left' });
    if (page.startsWith('/flaky'))
      expect(recording.process.find('meeting_shown')).toMatchObject({ attempt: 3 });
    const facts = await probeMedia(await recording.download());
    expect(Math.abs(facts.duration - recordedWallSeconds(recording.process))).toBeLessThan(1);
    expect(facts.duration).toBeLessThan(5);
  });

  it('the idle timeout: a still and silent page', async () => {
    const recording = stage.record('/meeting?mode=static', { IDLE_TIMEOUT_SECONDS: '4' });
    expect(await recording.process.exited).toBe(0);
    const report = reportOf(recording.process);
    expect(report).toMatchObject({ stopReason: 'idle', checks: { blackVideo: false, silentAudio: true } });
    expect(recordedWallSeconds(recording.process)).toBeGreaterThanOrEqual(4);
    expect(recordedWallSeconds(recording.process)).toBeLessThan(7);
  });

  it('a refused URL fails the task with Recorder.UrlRefused before anything starts', async () => {
    const recording = stage.record('/meeting', {
      MEETING_URL: 'https://169.254.169.254/latest/meta-data/',
      ALLOWED_MEETING_ORIGINS: '*',
      ALLOW_LOOPBACK_HTTP: 'false',
      AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
      TASK_TOKEN: 'token-refused',
    });
    expect(await recording.process.exited).toBe(1);
    const failure = stepFunctions
      .of('SendTaskFailure')
      .find((callback) => callback.body['taskToken'] === 'token-refused');
    expect(failure?.body).toMatchObject({ error: 'Recorder.UrlRefused' });
    expect(recording.process.find('environment_ready')).toBeUndefined();
  });
});
