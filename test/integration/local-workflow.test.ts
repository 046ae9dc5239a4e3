import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalWorkflow,
  type StateMachineDefinition,
  startLocalWorkflow,
} from '../../local/workflow/index.js';
import { documents, tableName } from '../support/aws.js';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:recordings-test';
const FAKE_RECORDER = fileURLToPath(new URL('../support/fake-recorder.ts', import.meta.url));

/** The shape of the recording workflow (docs/internals.md), with the resources local mode binds. */
function definition(table: string): StateMachineDefinition {
  const lambda = (next: Record<string, unknown>) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:f', 'Payload.$': '$' },
    OutputPath: '$.Payload',
    ...next,
  });
  return {
    StartAt: 'RunRecorder',
    States: {
      RunRecorder: {
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken',
        HeartbeatSeconds: 2,
        TimeoutSecondsPath: '$.timeoutSeconds',
        Parameters: {
          Cluster: 'cluster',
          TaskDefinition: 'recorder',
          LaunchType: 'FARGATE',
          Overrides: {
            ContainerOverrides: [
              {
                Name: 'recorder',
                Environment: [
                  { Name: 'RECORDING_ID', 'Value.$': '$.recordingId' },
                  { Name: 'FAKE_MODE', 'Value.$': '$.mode' },
                  { Name: 'TABLE_NAME', Value: 'deployed-table-name' },
                  { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' },
                ],
              },
            ],
          },
        },
        ResultPath: '$.recorder',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ReadTask' }],
        Next: 'FinalizeRecording',
      },
      ReadTask: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:getItem',
        Parameters: {
          TableName: table,
          Key: { pk: { 'S.$': "States.Format('REC#{}', $.recordingId)" }, sk: { S: 'REC' } },
        },
        ResultPath: '$.item',
        Next: 'StopRecorderTask',
      },
      StopRecorderTask: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ecs:stopTask',
        Parameters: { Cluster: 'cluster', 'Task.$': '$.item.Item.taskArn.S' },
        ResultPath: null,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.stopFailure', Next: 'MarkErrored' }],
        Next: 'WaitForRecorderExit',
      },
      // Ten minutes: the tests finish in seconds only if the runner applies their override.
      WaitForRecorderExit: { Type: 'Wait', Seconds: 600, Next: 'MarkErrored' },
      FinalizeRecording: lambda({ End: true }),
      MarkErrored: lambda({ Next: 'Failed' }),
      Failed: { Type: 'Fail', Error: 'Recording.Errored', Cause: 'nothing usable was recorded' },
    },
  };
}

const lambdaInputs: Record<string, unknown[]> = { FinalizeRecording: [], MarkErrored: [] };
let workflow: LocalWorkflow;
let sfn: SFNClient;
const logs: string[] = [];

beforeAll(async () => {
  workflow = await startLocalWorkflow({
    definition: definition(tableName()),
    stateMachineArn: STATE_MACHINE_ARN,
    port: 0,
    taskDefinitionEnv: { RECORDING_ID: 'from-the-task-definition', TABLE_NAME: 'from-the-task-definition' },
    recorderEnv: { TABLE_NAME: tableName() },
    recorderCommand: [process.execPath, '--import', 'tsx', FAKE_RECORDER],
    waitOverridesMs: { WaitForRecorderExit: 0 },
    loadLambda: async (stateName) => async (event: never) => {
      lambdaInputs[stateName]?.push(event);
      return { state: stateName };
    },
    log: (line) => logs.push(line),
  });
  // The recorder processes inherit process.env, so this is how they find the local Step Functions.
  process.env.AWS_ENDPOINT_URL_SFN = workflow.endpoint;
  sfn = new SFNClient({ endpoint: workflow.endpoint });
});
afterAll(async () => {
  await workflow?.stop();
});

async function run(mode: string) {
  const recordingId = `rec_${randomUUID()}`;
  const input = JSON.stringify({ recordingId, mode, timeoutSeconds: 60 });
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: recordingId, input }),
  );
  const execution = workflow.runner.describe(executionArn!);
  await execution.done;
  return { recordingId, execution };
}

describe('local workflow runner', () => {
  it('runs the recorder with the container overrides over the task definition, local settings over both, and resumes on SendTaskSuccess', async () => {
    const { recordingId, execution } = await run('succeed');
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual({ state: 'FinalizeRecording' });
    const finalizeInput = lambdaInputs.FinalizeRecording!.at(-1) as { recorder: Record<string, unknown> };
    expect(finalizeInput.recorder).toEqual({
      objectKey: `recordings/${recordingId}.mp4`,
      sizeBytes: 1,
      env: { TABLE_NAME: tableName(), RECORDING_ID: recordingId },
    });
  });

  it('catches SendTaskFailure with the error and cause the recorder sent', async () => {
    const { recordingId, execution } = await run('fail');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Recording.Errored' });
    const marked = lambdaInputs.MarkErrored!.find(
      (input) => (input as { recordingId: string }).recordingId === recordingId,
    ) as { failure: { Error: string; Cause: string }; stopFailure?: { Error: string } };
    expect(marked.failure).toEqual({ Error: 'Recorder.Crashed', Cause: 'no browser' });
  });

  it('times a silent recorder out on heartbeats and stops it with SIGTERM', async () => {
    const { recordingId, execution } = await run('hang');
    expect(execution.status).toBe('FAILED');
    const marked = lambdaInputs.MarkErrored!.find(
      (input) => (input as { recordingId: string }).recordingId === recordingId,
    ) as { failure: { Error: string }; stopFailure?: unknown };
    expect(marked.failure.Error).toBe('States.HeartbeatTimeout');
    expect(marked.stopFailure).toBeUndefined();
    await expect
      .poll(
        async () =>
          (
            await documents.send(
              new GetCommand({ TableName: tableName(), Key: { pk: `REC#${recordingId}`, sk: 'REC' } }),
            )
          ).Item?.stoppedBy,
        { timeout: 10_000 },
      )
      .toBe('SIGTERM');
  });

  it('answers StartExecution idempotently for the same name and input, and refuses another input', async () => {
    const name = `rec_${randomUUID()}`;
    const start = (input: string) =>
      sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input }));
    const input = JSON.stringify({ recordingId: name, mode: 'hang', timeoutSeconds: 60 });
    const first = await start(input);
    expect((await start(input)).executionArn).toBe(first.executionArn);
    await expect(start(JSON.stringify({ other: true }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await workflow.runner.describe(first.executionArn!).done;
  });

  it('answers TaskDoesNotExist for an unknown token', async () => {
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'nope', output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });
});
