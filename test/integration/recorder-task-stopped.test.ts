import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { lambdaContext } from '../../local/api/lambda-context.js';
import {
  type EcsTaskStoppedEvent,
  type LocalWorkflow,
  type StateMachineDefinition,
  startLocalWorkflow,
} from '../../local/workflow/index.js';
import { documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';
import { uniqueClientId } from '../support/table.js';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:task-stopped-test';
const FAKE_RECORDER = fileURLToPath(new URL('../support/fake-recorder.ts', import.meta.url));

/** RunRecorder with a heartbeat far longer than the test: only the stop event can end the wait. */
const definition: StateMachineDefinition = {
  StartAt: 'RunRecorder',
  States: {
    RunRecorder: {
      Type: 'Task',
      Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken',
      HeartbeatSeconds: 3600,
      Parameters: {
        Cluster: 'cluster',
        TaskDefinition: 'recorder',
        Overrides: {
          ContainerOverrides: [
            {
              Name: 'recorder',
              Environment: [
                { Name: 'RECORDING_ID', 'Value.$': '$.recordingId' },
                { Name: 'FAKE_MODE', 'Value.$': '$.mode' },
                { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' },
              ],
            },
          ],
        },
      },
      ResultPath: '$.recorder',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Failed' }],
      End: true,
    },
    Failed: { Type: 'Pass', End: true },
  },
};

type Handler = (event: EcsTaskStoppedEvent, context: Context) => Promise<{ outcome: string; error?: string }>;
let handler: Handler;
let workflow: LocalWorkflow;
let sfn: SFNClient;
const store = new DynamoRecordingStore(documents, tableName());
const events = new Map<string, EcsTaskStoppedEvent>();
const eventArrived = new Map<string, () => void>();

beforeAll(async () => {
  workflow = await startLocalWorkflow({
    definition,
    stateMachineArn: STATE_MACHINE_ARN,
    port: 0,
    recorderEnv: { TABLE_NAME: tableName() },
    recorderCommand: [process.execPath, '--import', 'tsx', FAKE_RECORDER],
    loadLambda: async () => async () => ({}),
    onTaskStopped: (event) => {
      const id = event.detail.overrides.containerOverrides[0]?.environment.find(
        (entry) => entry.name === 'RECORDING_ID',
      )?.value;
      if (!id) return;
      events.set(id, event);
      eventArrived.get(id)?.();
    },
  });
  process.env.AWS_ENDPOINT_URL_SFN = workflow.endpoint;
  sfn = new SFNClient({ endpoint: workflow.endpoint });
  ({ handler } = (await import('../../lambdas/handlers/recorder-task-stopped.js')) as unknown as {
    handler: Handler;
  });
});
afterAll(async () => {
  await workflow?.stop();
  sfn?.destroy();
});

/** A stored recording in `status` whose execution runs the fake recorder in `mode`; resolves its stop event. */
async function start(status: 'INVOKED' | 'RECORDING', mode: 'hang' | 'succeed') {
  const id = `rec_${randomUUID().replaceAll('-', '')}`;
  const recording = uploadedRecording({
    id,
    clientId: uniqueClientId(),
    status: 'INVOKED',
    createdAt: new Date().toISOString(),
    file: null,
    uploadedAt: null,
    stoppedAt: null,
  });
  await store.create(recording);
  if (status === 'RECORDING')
    await store.transition(id, 'RECORDING', { startedAt: new Date().toISOString() });
  const stopped = new Promise<EcsTaskStoppedEvent>((resolve) =>
    eventArrived.set(id, () => resolve(events.get(id)!)),
  );
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: STATE_MACHINE_ARN,
      name: id,
      input: JSON.stringify({ recordingId: id, mode }),
    }),
  );
  return { id, stopped, execution: () => workflow.runner.describe(executionArn!) };
}

const taskOf = async (id: string) => {
  await expect.poll(() => workflow.recorders.taskOf(id), { timeout: 20_000 }).toBeDefined();
  return workflow.recorders.taskOf(id)!;
};
const deliver = (event: EcsTaskStoppedEvent) =>
  handler(event, lambdaContext('recorder-task-stopped', 30_000));

describe('recorder-task-stopped against the local Step Functions endpoint and DynamoDB Local', () => {
  it('a task killed before it recorded fails its execution with Recorder.StoppedBeforeRecording; the repeat changes nothing', async () => {
    const { id, stopped, execution } = await start('INVOKED', 'hang');
    await workflow.recorders.kill(await taskOf(id));
    const event = await stopped;
    expect(event.detail).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'recorder', exitCode: 137 }],
    });
    expect(await deliver(event)).toEqual({
      outcome: 'failed-task',
      error: 'Recorder.StoppedBeforeRecording',
    });
    await execution().done;
    const output = JSON.parse(execution().output!) as { failure: { Error: string; Cause: string } };
    expect(output.failure).toEqual({
      Error: 'Recorder.StoppedBeforeRecording',
      Cause:
        'Essential container in task exited; stop code EssentialContainerExited; container recorder exit code 137',
    });
    // EventBridge delivers at least once: the used token answers TaskTimedOut, which is no error.
    expect(await deliver(event)).toEqual({ outcome: 'ignored', reason: 'token-used' });
  });

  it('a task stopped while RECORDING fails it with Recorder.TaskStopped', async () => {
    const { id, stopped, execution } = await start('RECORDING', 'hang');
    workflow.recorders.stop(await taskOf(id), 'Spot interruption');
    const event = await stopped;
    expect(event.detail).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'Spot interruption' });
    expect(await deliver(event)).toEqual({ outcome: 'failed-task', error: 'Recorder.TaskStopped' });
    await execution().done;
    expect(JSON.parse(execution().output!).failure.Error).toBe('Recorder.TaskStopped');
  });

  it('a task that reported and exited normally changes nothing', async () => {
    const { stopped, execution } = await start('INVOKED', 'succeed');
    const event = await stopped;
    await execution().done;
    expect(event.detail.containers[0]?.exitCode).toBe(0);
    expect(await deliver(event)).toEqual({ outcome: 'ignored', reason: 'token-used' });
    expect(execution().status).toBe('SUCCEEDED');
    expect(JSON.parse(execution().output!).failure).toBeUndefined();
  });

  it('an event of a recording that is no longer live changes nothing', async () => {
    const { id, stopped, execution } = await start('RECORDING', 'hang');
    await store.transition(id, 'ERRORED', { error: { code: 'x', message: 'y' } });
    await workflow.recorders.kill(await taskOf(id));
    expect(await deliver(await stopped)).toEqual({ outcome: 'ignored', reason: 'not-live' });
    expect(execution().status).toBe('RUNNING');
    await sfn.send(new StopExecutionCommand({ executionArn: execution().executionArn }));
  });

  it('ignores events of other tasks', async () => {
    const { stopped, execution } = await start('INVOKED', 'succeed');
    const event = await stopped;
    await execution().done;
    const foreign = { ...event, detail: { ...event.detail, overrides: { containerOverrides: [] } } };
    expect(await deliver(foreign)).toEqual({ outcome: 'ignored', reason: 'not-a-recorder-stop' });
  });
});
