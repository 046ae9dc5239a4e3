import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../lambdas/domain/recording.js';
import { DynamoRecordingStore, recordingKey } from '../../lambdas/store/dynamo-recording-store.js';
import { LiveLocks } from '../../lambdas/store/live-locks.js';
import { lambdaContext } from '../../local/api/lambda-context.js';
import { ensureTable } from '../../local/emulators/table.js';
import {
  type LocalWorkflow,
  type StateMachineDefinition,
  startLocalWorkflow,
} from '../../local/workflow/index.js';
import { documents } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';
import { uniqueClientId } from '../support/table.js';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:reconcile-test';
const FAKE_RECORDER = fileURLToPath(new URL('../support/fake-recorder.ts', import.meta.url));
// A table of its own: the reconciler acts on every lock it finds, and other files share the main table.
const TABLE = `reconcile-${randomUUID()}`;

/** The recording workflow's first Choice; the recovery path ends in a step that records its input. */
const definition: StateMachineDefinition = {
  StartAt: 'IsRecovery',
  States: {
    IsRecovery: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.recover', IsPresent: true },
            { Variable: '$.recover', BooleanEquals: true },
          ],
          Next: 'Recover',
        },
      ],
      Default: 'RunRecorder',
    },
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
                { Name: 'FAKE_MODE', Value: 'hang' },
                { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' },
              ],
            },
          ],
        },
      },
      End: true,
    },
    Recover: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:f', 'Payload.$': '$' },
      End: true,
    },
  },
};

type Handler = (event: unknown, context: Context) => Promise<{ outcomes: Record<string, string> }>;
let handler: Handler;
let workflow: LocalWorkflow;
let sfn: SFNClient;
const store = new DynamoRecordingStore(documents, TABLE);
const locks = new LiveLocks(documents, TABLE);
const recovered: Record<string, unknown>[] = [];

beforeAll(async () => {
  const dynamo = new DynamoDBClient({});
  await ensureTable(dynamo, TABLE);
  dynamo.destroy();
  workflow = await startLocalWorkflow({
    definition,
    stateMachineArn: STATE_MACHINE_ARN,
    port: 0,
    recorderEnv: { TABLE_NAME: TABLE },
    recorderCommand: [process.execPath, '--import', 'tsx', FAKE_RECORDER],
    loadLambda: async () => async (event: never) => {
      recovered.push(event);
      return {};
    },
  });
  Object.assign(process.env, {
    TABLE_NAME: TABLE,
    STATE_MACHINE_ARN,
    AWS_ENDPOINT_URL_SFN: workflow.endpoint,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  sfn = new SFNClient({ endpoint: workflow.endpoint });
  ({ handler } = (await import('../../lambdas/handlers/reconcile-recordings.js')) as unknown as {
    handler: Handler;
  });
});
afterAll(async () => {
  await workflow?.stop();
  sfn?.destroy();
});

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

async function stored(
  status: 'INVOKED' | 'RECORDING' | 'UPLOADING',
  createdAt: string,
  maxDurationSeconds = 3600,
): Promise<Recording> {
  const recording = uploadedRecording({
    id: `rec_${randomUUID().replaceAll('-', '')}`,
    clientId: uniqueClientId(),
    status: 'INVOKED',
    createdAt,
    maxDurationSeconds,
    file: null,
    uploadedAt: null,
    stoppedAt: null,
  });
  await store.create(recording);
  if (status !== 'INVOKED') await store.transition(recording.id, 'RECORDING');
  if (status === 'UPLOADING') await store.transition(recording.id, 'UPLOADING');
  return recording;
}

async function startExecution(name: string, input: Record<string, unknown>) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input: JSON.stringify(input) }),
  );
  return workflow.runner.describe(executionArn!);
}
const executionNamed = (name: string) =>
  workflow.runner.describe(`${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`);

describe('reconcile-recordings against DynamoDB Local and the local Step Functions endpoint', () => {
  it('finds every lock through the byLive index, oldest first', async () => {
    const older = await stored('INVOKED', ago(1));
    const newer = await stored('INVOKED', ago(0));
    const ids = (await locks.list()).map((lock) => lock.recordingId);
    expect(ids.indexOf(older.id)).toBeLessThan(ids.indexOf(newer.id));
    expect((await locks.list()).find((lock) => lock.recordingId === older.id)).toEqual({
      key: { pk: `LOCK#${older.clientId}#${older.meetingId}`, sk: 'LOCK' },
      recordingId: older.id,
      createdAt: older.createdAt,
    });
    await store.transition(older.id, 'ERRORED');
    await store.transition(newer.id, 'ERRORED');
    expect((await locks.list()).map((lock) => lock.recordingId)).not.toContain(older.id);
  });

  it('frees orphan locks, recovers lost and overdue recordings, leaves healthy ones, errors the hopeless', async () => {
    const orphan = await stored('RECORDING', ago(10));
    await documents.send(new DeleteCommand({ TableName: TABLE, Key: recordingKey(orphan.id) }));
    const neverStarted = await stored('INVOKED', ago(5));
    const young = await stored('INVOKED', ago(0));
    const healthy = await stored('RECORDING', ago(5));
    const healthyRun = await startExecution(healthy.id, { recordingId: healthy.id });
    const overdue = await stored('RECORDING', ago(120), 60);
    const overdueRun = await startExecution(overdue.id, { recordingId: overdue.id });
    const hopeless = await stored('UPLOADING', ago(60));
    for (const attempt of [1, 2, 3]) {
      await (
        await startExecution(`${hopeless.id}-recover-${attempt}`, { recordingId: hopeless.id, recover: true })
      ).done;
    }

    const { outcomes } = await handler({}, lambdaContext('reconcile-recordings', 300_000));
    expect(outcomes).toEqual({
      [orphan.id]: 'release-lock',
      [neverStarted.id]: 'recover',
      [young.id]: 'leave',
      [healthy.id]: 'leave',
      [overdue.id]: 'recover',
      [hopeless.id]: 'mark-errored',
    });

    const lockHolders = (await locks.list()).map((lock) => lock.recordingId);
    expect(lockHolders).not.toContain(orphan.id);
    expect(lockHolders).not.toContain(hopeless.id);
    expect(await store.get(hopeless.id)).toMatchObject({
      status: 'ERRORED',
      error: {
        code: 'recovery_failed',
        message: 'The recording could not be finished after its workflow was lost.',
      },
    });

    expect(healthyRun.status).toBe('RUNNING');
    await overdueRun.done;
    expect(overdueRun.status).toBe('ABORTED');
    for (const lost of [neverStarted, overdue]) {
      const recovery = executionNamed(`${lost.id}-recover-1`);
      await recovery.done;
      expect(JSON.parse(recovery.input)).toMatchObject({
        recordingId: lost.id,
        objectKey: lost.objectKey,
        timeoutSeconds: lost.maxDurationSeconds + 300,
        recover: true,
        failure: { Error: 'Reconciler.WorkflowLost' },
      });
    }
    expect(JSON.parse(executionNamed(`${neverStarted.id}-recover-1`).input).failure.Cause).toMatch(
      /workflow never started .* while the recording was INVOKED/,
    );
    expect(recovered.map((input) => input.recordingId)).toEqual(
      expect.arrayContaining([neverStarted.id, overdue.id]),
    );
    await workflow.runner.stop(healthyRun.executionArn);
  });
});
