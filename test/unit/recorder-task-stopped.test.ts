import {
  InvalidToken,
  SendTaskFailureCommand,
  SFNClient,
  SFNServiceException,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordingStatus } from '../../lambdas/domain/recording.js';
import {
  type EcsTaskStateChange,
  reportStoppedTask,
  STOPPED_BEFORE_RECORDING,
  sanitizeCause,
  sfnTaskFailer,
  stoppedRecorderTask,
  TASK_STOPPED,
} from '../../lambdas/recovery/task-stopped.js';

const detail = (overrides: Partial<EcsTaskStateChange> = {}): EcsTaskStateChange => ({
  lastStatus: 'STOPPED',
  clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/recorders',
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/recorders/0123abcd',
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'recorder', exitCode: 137 }],
  overrides: {
    containerOverrides: [
      {
        name: 'recorder',
        environment: [
          { name: 'RECORDING_ID', value: 'rec_1' },
          { name: 'MEETING_URL', value: 'https://meet.example.com/x' },
          { name: 'TASK_TOKEN', value: 'token-1' },
        ],
      },
    ],
  },
  ...overrides,
});

describe('stoppedRecorderTask', () => {
  it('reads the recording, the token and a cause from the stop event', () => {
    expect(stoppedRecorderTask(detail())).toEqual({
      recordingId: 'rec_1',
      taskToken: 'token-1',
      cause:
        'Essential container in task exited; stop code EssentialContainerExited; container recorder exit code 137',
    });
  });

  it('ignores events of tasks that are not stopped or carry no recording', () => {
    expect(stoppedRecorderTask(detail({ lastStatus: 'RUNNING' }))).toBeUndefined();
    expect(stoppedRecorderTask(detail({ overrides: { containerOverrides: [] } }))).toBeUndefined();
    expect(stoppedRecorderTask(detail({ overrides: undefined }))).toBeUndefined();
    const withoutToken = detail({
      overrides: { containerOverrides: [{ environment: [{ name: 'RECORDING_ID', value: 'rec_1' }] }] },
    });
    expect(stoppedRecorderTask(withoutToken)).toBeUndefined();
  });

  it('says why without ARNs, account ids, hosts or addresses', () => {
    const task = stoppedRecorderTask(
      detail({
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ' +
          '123456789012.dkr.ecr.eu-west-1.amazonaws.com/recorder:latest: dial tcp 10.0.1.23:443: i/o timeout ' +
          '(task arn:aws:ecs:eu-west-1:123456789012:task/recorders/0123abcd, via [2600:1f18:abcd::1]:443)',
        containers: [{ name: 'recorder', reason: 'OutOfMemoryError: Container killed due to memory usage' }],
      }),
    );
    expect(task?.cause).toBe(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ' +
        '<host>: dial tcp <address>: i/o timeout (task <arn>, via <address>); stop code TaskFailedToStart; ' +
        'container recorder OutOfMemoryError: Container killed due to memory usage',
    );
    expect(sanitizeCause('account 123456789012 at 12:30:45')).toBe('account <account> at 12:30:45');
    expect(sanitizeCause('x'.repeat(2_000))).toHaveLength(500);
  });
});

describe('reportStoppedTask', () => {
  const task = { recordingId: 'rec_1', taskToken: 'token-1', cause: 'Essential container in task exited' };
  const run = async (status: RecordingStatus | undefined, tokenOpen = true) => {
    const failures: [string, string, string][] = [];
    const outcome = await reportStoppedTask(
      {
        statusOf: async () => status,
        failTask: async (...args) => {
          failures.push(args);
          return tokenOpen;
        },
      },
      task,
    );
    return { outcome, failures };
  };

  it('fails the waiting task with StoppedBeforeRecording when nothing was recorded', async () => {
    expect(await run('INVOKED')).toEqual({
      outcome: { outcome: 'failed-task', error: STOPPED_BEFORE_RECORDING },
      failures: [['token-1', STOPPED_BEFORE_RECORDING, task.cause]],
    });
  });

  it('fails it with TaskStopped once the recorder had started (salvage follows)', async () => {
    for (const status of ['RECORDING', 'UPLOADING'] as const) {
      expect((await run(status)).failures).toEqual([['token-1', TASK_STOPPED, task.cause]]);
    }
  });

  it('changes nothing for a recording that is no longer live, or missing', async () => {
    for (const status of ['UPLOADED', 'ERRORED', 'DELETED', undefined] as const) {
      expect(await run(status)).toEqual({
        outcome: { outcome: 'ignored', reason: 'not-live' },
        failures: [],
      });
    }
  });

  it('changes nothing when the task had reported already (the token is used)', async () => {
    expect((await run('UPLOADING', false)).outcome).toEqual({ outcome: 'ignored', reason: 'token-used' });
  });
});

describe('sfnTaskFailer', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());
  const fail = () => sfnTaskFailer(new SFNClient({ region: 'eu-west-1' }))('token-1', TASK_STOPPED, 'why');

  it('sends SendTaskFailure with the error and cause', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    expect(await fail()).toBe(true);
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      error: TASK_STOPPED,
      cause: 'why',
    });
  });

  it('answers false for a used, expired or unknown token', async () => {
    for (const error of [
      new TaskTimedOut({ message: "Task Timed Out: 'Provided task does not exist anymore'", $metadata: {} }),
      new TaskDoesNotExist({ message: 'gone', $metadata: {} }),
      new InvalidToken({ message: 'bad', $metadata: {} }),
    ]) {
      sfn.on(SendTaskFailureCommand).rejects(error);
      expect(await fail()).toBe(false);
    }
  });

  it('throws anything else, so that EventBridge delivers the event again', async () => {
    sfn.on(SendTaskFailureCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'slow down',
        $metadata: {},
      }),
    );
    await expect(fail()).rejects.toThrow('slow down');
  });
});
