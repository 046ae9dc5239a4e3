import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { adaptForLocalRunner, type StateMachineDefinition } from '../../lib/synth-for-local.js';
import { SYNTH_TIMEOUT, synth } from './helpers.js';

type Json = Record<string, unknown>;
type Handler = (input: Json) => unknown;

class NamedError extends Error {
  constructor(name: string, message = name) {
    super(message);
    this.name = name;
  }
}

const INPUT = {
  recordingId: 'rec_01',
  clientId: 'client-a',
  objectKey: 'recordings/client-a/m/rec_01/m.mp4',
  meetingUrl: 'https://meet.example.com/m',
  maxDurationSeconds: 3600,
  resolution: '720p',
  format: 'mp4',
  timeoutSeconds: 3900,
};
const REPORT = {
  objectKey: INPUT.objectKey,
  sizeBytes: 10,
  durationSeconds: 20.1,
  partial: false,
  stopReason: 'requested',
};

/**
 * Runs the synthesized definition with every Task replaced by a fake (local mode does the same with real
 * handlers): proves the JSONPath wiring (ResultPath, Choice, Catch, Retry) takes each path of the contract.
 */
describe('workflow paths, synthesized definition run by aws-local-stepfunctions', () => {
  let definition: StateMachineDefinition;
  beforeAll(() => {
    definition = adaptForLocalRunner(synth().stateMachineDefinition);
  }, SYNTH_TIMEOUT);

  async function run(overrides: Record<string, Handler>, input: Json = {}) {
    const calls: Record<string, Json[]> = {};
    const record =
      (name: string, handler: Handler) =>
      (input: unknown): Promise<never> | never => {
        calls[name] = [...(calls[name] ?? []), structuredClone(input as Json)];
        return handler(input as Json) as never;
      };
    const defaults: Record<string, Handler> = {
      RunRecorder: () => REPORT,
      FindRecorderTask: () => ({ Item: { taskArn: { S: 'arn:aws:ecs:eu-west-1:1:task/c/abc' } } }),
      StopRecorderTask: () => ({}),
      SalvageRecording: () => ({ salvaged: false }),
      FinalizeRecording: () => ({ recordingId: INPUT.recordingId, status: 'UPLOADED' }),
      NotifyHost: () => ({ recordingId: INPUT.recordingId }),
      RecordEmailFailure: () => ({}),
      RemindHost: () => ({ recordingId: INPUT.recordingId, outcome: 'sent' }),
      MarkErrored: () => ({}),
      NoteLaunchDelay: () => ({ retry: true, waitSeconds: 1, attempts: 1 }),
    };
    const handlers = Object.fromEntries(
      Object.entries({ ...defaults, ...overrides }).map(([name, handler]) => [name, record(name, handler)]),
    );
    const machine = new StateMachine(definition as never);
    const execution = machine.run(
      { ...INPUT, ...input },
      {
        // The local runner has no task tokens of its own; local mode supplies one the same way.
        context: { Task: { Token: 'task-token-1' } } as never,
        overrides: {
          taskResourceLocalHandlers: handlers as never,
          waitTimeOverrides: { WaitForRecorderExit: 0, WaitBeforeRelaunch: 0 },
          retryIntervalOverrides: Object.fromEntries(
            [...Object.keys(defaults), 'RunRecorder'].map((name) => [name, 0]),
          ),
        },
      },
    );
    try {
      const output = (await execution.result) as Json;
      return { status: 'SUCCEEDED' as const, output, calls };
    } catch (error) {
      return { status: 'FAILED' as const, error: error as Error, calls };
    }
  }

  it('normal path: recorder report → finalize → notify → Done', async () => {
    const { status, output, calls } = await run({});
    expect(status).toBe('SUCCEEDED');
    expect(calls.RunRecorder?.[0]).toMatchObject({
      timeoutSeconds: 3900,
      Overrides: {
        ContainerOverrides: [
          {
            Name: 'recorder',
            Environment: expect.arrayContaining([
              { Name: 'MAX_DURATION_SECONDS', Value: '3600' },
              { Name: 'TASK_TOKEN', Value: 'task-token-1' },
              { Name: 'OBJECT_KEY', Value: INPUT.objectKey },
            ]),
          },
        ],
      },
    });
    expect(calls.FinalizeRecording?.[0]).toMatchObject({ ...INPUT, recorder: REPORT });
    expect(calls.NotifyHost?.[0]).toMatchObject({ recordingId: 'rec_01', finalized: { status: 'UPLOADED' } });
    expect(calls.SalvageRecording).toBeUndefined();
    expect(calls.MarkErrored).toBeUndefined();
    expect(output).toMatchObject({ recorder: REPORT, notification: { recordingId: 'rec_01' } });
  });

  it('RunTask capacity error is retried', async () => {
    let attempts = 0;
    const { status, calls } = await run({
      RunRecorder: () => {
        attempts += 1;
        if (attempts < 3)
          throw new NamedError('ECS.AmazonECSException', 'Capacity is unavailable at this time');
        return REPORT;
      },
    });
    expect(status).toBe('SUCCEEDED');
    expect(calls.RunRecorder).toHaveLength(3);
    expect(calls.FindRecorderTask).toBeUndefined();
  });

  it('launch loop: capacity, throttled lookups, a task stopped early: noted, waited, launched again', async () => {
    let attempts = 0;
    const failures = [
      new NamedError('AmazonECS.Unknown', 'Capacity is unavailable at this time'),
      new NamedError('ECS.InvalidParameterException', 'Rate exceeded'),
      new NamedError('Recorder.StoppedBeforeRecording', 'CannotPullContainerError'),
    ];
    const { status, calls } = await run({
      RunRecorder: () => {
        const failure = failures[attempts++];
        if (failure) throw failure;
        return REPORT;
      },
      NoteLaunchDelay: () => ({ retry: true, waitSeconds: 3, attempts }),
    });
    expect(status).toBe('SUCCEEDED');
    expect(calls.RunRecorder).toHaveLength(4);
    expect(calls.NoteLaunchDelay?.map((input) => (input.launchFailure as Json).Error)).toEqual([
      'AmazonECS.Unknown',
      'ECS.InvalidParameterException',
      'Recorder.StoppedBeforeRecording',
    ]);
    expect(calls.FindRecorderTask).toBeUndefined();
    expect(calls.MarkErrored).toBeUndefined();
    expect(calls.FinalizeRecording).toHaveLength(1);
  });

  it('launch window spent: MarkErrored with the launch decision, then Fail', async () => {
    const giveUp = { retry: false, attempts: 7, error: { code: 'launch_failed', message: 'no capacity' } };
    const { status, calls } = await run({
      RunRecorder: () => {
        throw new NamedError('AmazonECS.Unknown', 'Capacity is unavailable at this time');
      },
      NoteLaunchDelay: () => giveUp,
    });
    expect(status).toBe('FAILED');
    expect(calls.RunRecorder).toHaveLength(1);
    expect(calls.MarkErrored?.[0]).toMatchObject({ launchDelay: giveUp });
  });

  it('NoteLaunchDelay finding the recording no longer INVOKED sends it down the salvage path', async () => {
    const { calls } = await run({
      RunRecorder: () => {
        throw new NamedError('Recorder.StoppedBeforeRecording', 'essential container exited');
      },
      NoteLaunchDelay: () => {
        throw new NamedError('NotWaitingForLaunch', 'Recording is RECORDING, not INVOKED.');
      },
    });
    expect(calls.FindRecorderTask).toHaveLength(1);
    expect(calls.SalvageRecording?.[0]).toMatchObject({ failure: { Error: 'NotWaitingForLaunch' } });
  });

  it.each([
    'Lambda.TooManyRequestsException',
    'Lambda.ServiceException',
    'Lambda.Unknown',
    'TransientDependencyError',
  ])('%s on every Lambda step is retried and the recording ends as if nothing happened', async (name) => {
    const failed: Record<string, number> = {};
    const failOnce = (stateName: string, result: unknown) => () => {
      failed[stateName] = (failed[stateName] ?? 0) + 1;
      if (failed[stateName] === 1) throw new NamedError(name);
      return result;
    };
    const { status, calls } = await run({
      RunRecorder: () => {
        throw new NamedError('States.HeartbeatTimeout');
      },
      SalvageRecording: failOnce('SalvageRecording', { salvaged: true, report: REPORT }),
      FinalizeRecording: failOnce('FinalizeRecording', { status: 'UPLOADED' }),
      NotifyHost: failOnce('NotifyHost', { recordingId: 'rec_01' }),
    });
    expect(status).toBe('SUCCEEDED');
    expect(calls.SalvageRecording).toHaveLength(2);
    expect(calls.FinalizeRecording).toHaveLength(2);
    expect(calls.NotifyHost).toHaveLength(2);
    expect(calls.MarkErrored).toBeUndefined();
    expect(calls.RecordEmailFailure).toBeUndefined();
  });

  it('a step still failing on what heals after every retry leaves the recording live for the reconciler', async () => {
    const { status, error, calls } = await run({
      FinalizeRecording: () => {
        throw new NamedError('TransientDependencyError', 'SlowDown: Please reduce your request rate.');
      },
    });
    expect(status).toBe('FAILED');
    expect((error?.cause as Error | undefined)?.name).toBe('LeftToReconciler');
    expect(calls.FinalizeRecording).toHaveLength(12);
    expect(calls.MarkErrored).toBeUndefined();
  });

  it('MarkErrored failing for good ends in MarkErroredFailed, not RecordingErrored', async () => {
    const { status, error, calls } = await run({
      RunRecorder: () => {
        throw new NamedError('Recorder.BrowserFailed', 'chromium exited');
      },
      MarkErrored: () => {
        throw new NamedError('Lambda.TooManyRequestsException', 'Rate exceeded');
      },
    });
    expect(status).toBe('FAILED');
    expect((error?.cause as Error | undefined)?.name).toBe('MarkErroredFailed');
    expect(calls.MarkErrored).toHaveLength(12);
  });

  it('heartbeat lost: the task is looked up, stopped, given its window, then salvaged and finalized as partial', async () => {
    const salvaged = { ...REPORT, partial: true, stopReason: 'interrupted' };
    const { status, calls } = await run({
      RunRecorder: () => {
        throw new NamedError('States.HeartbeatTimeout');
      },
      SalvageRecording: () => ({ salvaged: true, report: salvaged }),
    });
    expect(status).toBe('SUCCEEDED');
    expect(calls.StopRecorderTask?.[0]).toMatchObject({
      Cluster: expect.stringMatching(/^\$\{RecorderCluster\w+\.Arn\}$/),
      Task: 'arn:aws:ecs:eu-west-1:1:task/c/abc',
    });
    expect(calls.SalvageRecording?.[0]).toMatchObject({
      ...INPUT,
      failure: { Error: 'States.HeartbeatTimeout' },
    });
    expect(calls.FinalizeRecording?.[0]).toMatchObject({ recordingId: 'rec_01', recorder: salvaged });
    expect(calls.NotifyHost).toHaveLength(1);
  });

  it('recorder failed before it had a task: no stop, nothing salvaged → MarkErrored → Fail', async () => {
    const { status, error, calls } = await run({
      RunRecorder: () => {
        throw new NamedError('Recorder.BrowserFailed', 'chromium exited');
      },
      FindRecorderTask: () => ({}),
    });
    expect(status).toBe('FAILED');
    expect(error?.message).toMatch(/Nothing usable was recorded/);
    expect(calls.StopRecorderTask).toBeUndefined();
    expect(calls.MarkErrored?.[0]).toMatchObject({
      recordingId: 'rec_01',
      failure: { Error: 'Recorder.BrowserFailed', Cause: 'chromium exited' },
      salvage: { salvaged: false },
    });
    expect(calls.FinalizeRecording).toBeUndefined();
  });

  it('max duration backstop: the task times out after $.timeoutSeconds and the workflow salvages', async () => {
    const started = Date.now();
    const { status, calls } = await run(
      {
        RunRecorder: () => new Promise(() => {}),
        SalvageRecording: () => ({
          salvaged: true,
          report: { ...REPORT, partial: true, stopReason: 'max_duration' },
        }),
      },
      { timeoutSeconds: 1 },
    );
    expect(status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(calls.SalvageRecording?.[0]).toMatchObject({ failure: { Error: 'States.Timeout' } });
    expect(calls.FinalizeRecording?.[0]).toMatchObject({ recorder: { stopReason: 'max_duration' } });
  });

  it('a recorder reporting its own failure goes straight to the salvage: no stop, no wait', async () => {
    const { status, calls } = await run({
      RunRecorder: () => {
        throw new NamedError('Recorder.NothingRecorded', 'the encoder produced no complete fragment');
      },
    });
    expect(status).toBe('FAILED');
    expect(calls.FindRecorderTask).toBeUndefined();
    expect(calls.StopRecorderTask).toBeUndefined();
    expect(calls.SalvageRecording?.[0]).toMatchObject({ failure: { Error: 'Recorder.NothingRecorded' } });
    expect(calls.MarkErrored?.[0]).toMatchObject({ failure: { Error: 'Recorder.NothingRecorded' } });
  });

  it('a failing stopTask or lookup never blocks the salvage', async () => {
    const stopFails = await run({
      RunRecorder: () => {
        throw new NamedError('States.Timeout');
      },
      StopRecorderTask: () => {
        throw new NamedError('Ecs.InvalidParameterException', 'task already stopped');
      },
    });
    expect(stopFails.calls.SalvageRecording?.[0]).toMatchObject({
      stopError: { Error: 'Ecs.InvalidParameterException' },
    });
    const lookupFails = await run({
      RunRecorder: () => {
        throw new NamedError('States.Timeout');
      },
      FindRecorderTask: () => {
        throw new NamedError('DynamoDB.AmazonDynamoDBException');
      },
    });
    expect(lookupFails.calls.SalvageRecording).toHaveLength(1);
    expect(lookupFails.calls.StopRecorderTask).toBeUndefined();
  });

  it('a failing salvage or finalize marks the recording ERRORED', async () => {
    const salvageFails = await run({
      RunRecorder: () => {
        throw new NamedError('States.Timeout');
      },
      SalvageRecording: () => {
        throw new NamedError('S3.InternalError');
      },
    });
    expect(salvageFails.status).toBe('FAILED');
    expect(salvageFails.calls.MarkErrored?.[0]).toMatchObject({
      failure: { Error: 'States.Timeout' },
      salvageError: { Error: 'S3.InternalError' },
    });
    const finalizeFails = await run({
      FinalizeRecording: () => {
        throw new NamedError('FileMissing');
      },
    });
    expect(finalizeFails.status).toBe('FAILED');
    expect(finalizeFails.calls.MarkErrored?.[0]).toMatchObject({ failure: { Error: 'FileMissing' } });
  });

  it('SES throttled, then succeeding: NotifyHost is retried and the execution succeeds', async () => {
    let attempts = 0;
    const { status, calls } = await run({
      NotifyHost: () => {
        attempts += 1;
        if (attempts < 3) throw new NamedError(attempts === 1 ? 'EmailThrottled' : 'EmailTransient');
        return { recordingId: 'rec_01' };
      },
    });
    expect(status).toBe('SUCCEEDED');
    expect(calls.NotifyHost).toHaveLength(3);
    expect(calls.RecordEmailFailure).toBeUndefined();
  });

  it('a reminder due: the execution waits until remindAt, reminds, and a reminder failing for good fails alone', async () => {
    const remindAt = new Date(Date.now() + 500).toISOString();
    const notify = { NotifyHost: () => ({ recordingId: 'rec_01', remindAt }) };
    const reminded = await run(notify);
    expect(reminded.status).toBe('SUCCEEDED');
    expect(reminded.calls.RemindHost?.[0]).toMatchObject({
      recordingId: 'rec_01',
      notification: { remindAt },
    });
    expect(reminded.output).toMatchObject({ reminder: { outcome: 'sent' } });

    const failing = await run({
      NotifyHost: () => ({ recordingId: 'rec_01', remindAt: new Date().toISOString() }),
      RemindHost: () => {
        throw new NamedError('EmailRejected', 'MessageRejected');
      },
    });
    expect(failing.status).toBe('FAILED');
    expect((failing.error?.cause as Error | undefined)?.name).toBe('ReminderFailed');
    expect(failing.calls.RemindHost).toHaveLength(1);
    expect((await run({})).calls.RemindHost).toBeUndefined();
  });

  it('SES failing for good: the failure is recorded and the execution still succeeds', async () => {
    const { status, calls } = await run({
      NotifyHost: () => {
        throw new NamedError('EmailRejected', 'MessageRejected: address blacklisted');
      },
    });
    expect(status).toBe('SUCCEEDED');
    expect(calls.NotifyHost).toHaveLength(1);
    expect(calls.RecordEmailFailure?.[0]).toMatchObject({
      recordingId: 'rec_01',
      emailFailure: { Error: 'EmailRejected', Cause: 'MessageRejected: address blacklisted' },
    });
  });

  it('recovery (recover: true): no launch; the task is found, stopped, waited for, salvaged, finalized and emailed', async () => {
    const failure = { Error: 'Reconciler.WorkflowLost', Cause: 'The workflow ended ABORTED.' };
    const salvaged = { ...REPORT, partial: true, stopReason: 'interrupted' };
    const { status, calls } = await run(
      {
        RunRecorder: () => {
          throw new Error('a recovery must not launch a recorder');
        },
        SalvageRecording: () => ({ salvaged: true, report: salvaged }),
      },
      { recover: true, failure },
    );
    expect(status).toBe('SUCCEEDED');
    expect(calls.RunRecorder).toBeUndefined();
    expect(calls.StopRecorderTask?.[0]).toMatchObject({ Task: 'arn:aws:ecs:eu-west-1:1:task/c/abc' });
    expect(calls.SalvageRecording?.[0]).toMatchObject({ ...INPUT, recover: true, failure });
    expect(calls.FinalizeRecording?.[0]).toMatchObject({ recordingId: 'rec_01', recorder: salvaged });
    expect(calls.NotifyHost).toHaveLength(1);
  });

  it("recovery of a recording that never had a task: nothing salvaged → MarkErrored with the reconciler's cause", async () => {
    const failure = { Error: 'Reconciler.WorkflowLost', Cause: 'The workflow never started.' };
    const { status, calls } = await run({ FindRecorderTask: () => ({}) }, { recover: true, failure });
    expect(status).toBe('FAILED');
    expect(calls.RunRecorder).toBeUndefined();
    expect(calls.StopRecorderTask).toBeUndefined();
    expect(calls.MarkErrored?.[0]).toMatchObject({ recordingId: 'rec_01', failure });
  });

  it('recover: false runs the normal path', async () => {
    const { status, calls } = await run({}, { recover: false });
    expect(status).toBe('SUCCEEDED');
    expect(calls.RunRecorder).toHaveLength(1);
    expect(calls.FindRecorderTask).toBeUndefined();
  });
});
