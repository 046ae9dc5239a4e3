import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Recording, toView } from '../../lambdas/domain/recording.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';

const context = {
  functionName: 'note-launch-delay',
  awsRequestId: '1',
  getRemainingTimeInMillis: () => 3000,
} as Context;

type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;
let noteLaunchDelay: Handler;
let markErrored: Handler;
let store: DynamoRecordingStore;
beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  store = new DynamoRecordingStore(documents, tableName());
  noteLaunchDelay = (await import('../../lambdas/handlers/workflow/note-launch-delay.js')).handler as Handler;
  markErrored = (await import('../../lambdas/handlers/workflow/mark-errored.js')).handler as Handler;
});

let sequence = 0;
async function invokedRecording(overrides: Partial<Recording> = {}): Promise<Recording> {
  sequence += 1;
  const id = `rec_01JDX8M8Y1T5Q6N0W2Z3LNCH${String(sequence).padStart(2, '0')}`;
  const recording = uploadedRecording({
    id,
    meetingId: `launch-${sequence}-${Date.now()}`,
    status: 'INVOKED',
    stopReason: null,
    stoppedAt: null,
    startedAt: null,
    uploadedAt: null,
    file: null,
    objectKey: `recordings/acme/launch/${id}/x.mp4`,
    ...overrides,
  });
  await store.create(recording);
  return recording;
}

const capacity = {
  Error: 'AmazonECS.Unknown',
  Cause:
    'RunTask failed: arn:aws:ecs:eu-west-1:123456789012:container-instance/abc RESOURCE:FARGATE Capacity is unavailable at this time.',
};
const input = (recording: Recording, extra: Record<string, unknown> = {}) => ({
  recordingId: recording.id,
  objectKey: recording.objectKey,
  launchFailure: capacity,
  ...extra,
});

describe('NoteLaunchDelay', () => {
  it('notes each failed launch on the INVOKED recording, growing the wait, and the view shows why', async () => {
    process.env.LAUNCH_RETRY_WINDOW_SECONDS = '600';
    const recording = await invokedRecording();
    expect(toView((await store.get(recording.id))!).launch).toBeNull();
    const first = await noteLaunchDelay(input(recording), context);
    expect(first).toMatchObject({ retry: true, attempts: 1 });
    expect(first.waitSeconds).toBeGreaterThanOrEqual(5);
    expect(first.waitSeconds).toBeLessThanOrEqual(10);
    const noted = (await store.get(recording.id))!;
    expect(noted.status).toBe('INVOKED');
    expect(toView(noted).launch).toEqual({
      attempts: 1,
      reason: 'capacity',
      message: 'No capacity was available.',
      since: expect.any(String),
      nextAttemptAt: expect.any(String),
    });

    const second = await noteLaunchDelay(
      input(recording, {
        launchFailure: {
          Error: 'ECS.InvalidParameterException',
          Cause: 'Rate exceeded for sg-0123456789abcdef0',
        },
      }),
      context,
    );
    expect(second).toMatchObject({ retry: true, attempts: 2 });
    expect(second.waitSeconds).toBeGreaterThanOrEqual(10);
    const again = (await store.get(recording.id))!;
    expect(again.launch).toMatchObject({ attempts: 2, reason: 'throttled', since: noted.launch?.since });
    expect(again.launch?.message).toBe('The launch was throttled.');
  });

  it('once the window is spent it gives up, and MarkErrored ends the recording as launch_failed, freeing the meeting', async () => {
    process.env.LAUNCH_RETRY_WINDOW_SECONDS = '0';
    const recording = await invokedRecording();
    const decision = await noteLaunchDelay(
      input(recording, {
        launchFailure: { Error: 'Recorder.StoppedBeforeRecording', Cause: 'OutOfMemoryError' },
      }),
      context,
    );
    expect(decision).toEqual({
      retry: false,
      attempts: 1,
      error: {
        code: 'launch_failed',
        message: 'The recorder could not be started.',
      },
    });
    await markErrored(input(recording, { launchDelay: decision }), context);
    expect(await store.get(recording.id)).toMatchObject({
      status: 'ERRORED',
      error: decision.error,
      launch: { attempts: 1, reason: 'task_stopped' },
    });
    await expect(
      store.create({ ...recording, id: `${recording.id.slice(0, -2)}ZZ` }),
    ).resolves.toBeUndefined();
  });

  it('gives up at once when the host asked to stop while it waited', async () => {
    process.env.LAUNCH_RETRY_WINDOW_SECONDS = '600';
    const recording = await invokedRecording();
    await store.requestStop(recording.id, new Date().toISOString());
    expect(await noteLaunchDelay(input(recording), context)).toMatchObject({
      retry: false,
      error: {
        code: 'launch_failed',
        message: 'The recorder could not be started.',
      },
    });
  });

  it('refuses a recording that is no longer INVOKED, a missing one, and a call without a launch failure', async () => {
    const recording = await invokedRecording();
    await store.transition(recording.id, 'RECORDING', { startedAt: new Date().toISOString() });
    await expect(noteLaunchDelay(input(recording), context)).rejects.toMatchObject({
      name: 'NotWaitingForLaunch',
    });
    await expect(
      noteLaunchDelay(input({ ...recording, id: 'rec_01JDX8M8Y1T5Q6N0W2Z3NONE00' }), context),
    ).rejects.toMatchObject({ name: 'RecordingMissing' });
    await expect(
      noteLaunchDelay({ recordingId: recording.id, objectKey: recording.objectKey }, context),
    ).rejects.toMatchObject({ name: 'LaunchFailureMissing' });
  });
});
