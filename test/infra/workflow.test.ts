import { beforeAll, describe, expect, it } from 'vitest';
import { renderDefinitionString, type StateMachineDefinition } from '../../lib/synth-for-local.js';
import { LAMBDA_RETRY_ERRORS } from '../../lib/workflow-construct.js';
import { logicalId, SYNTH_TIMEOUT, type Synthesized, statementsOfRole, synth } from './helpers.js';

type State = Record<string, unknown> & { Type: string };

describe('recording workflow (docs/internals.md "The workflow")', () => {
  let s: Synthesized;
  let definition: StateMachineDefinition;
  let states: Record<string, State>;
  beforeAll(() => {
    s = synth();
    definition = s.stateMachineDefinition;
    states = definition.States;
  }, SYNTH_TIMEOUT);

  const state = (name: string): State => {
    const found = states[name];
    if (!found) throw new Error(`No state ${name}`);
    return found;
  };

  it('is a Standard workflow in JSONPath, logging errors only (no task tokens or meeting URLs), traced', () => {
    s.assertions.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ERROR',
        IncludeExecutionData: true,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: {
                'Fn::GetAtt': [logicalId(s.assertions, 'AWS::Logs::LogGroup', 'WorkflowLogs'), 'Arn'],
              },
            },
          },
        ],
      },
    });
    expect(definition.QueryLanguage).toBe('JSONPath');
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/JSONata|\{%/);
  });

  it('has the states of the contract, starting at IsRecovery', () => {
    expect(definition.StartAt).toBe('IsRecovery');
    expect(Object.keys(states).sort()).toEqual(
      [
        'IsRecovery',
        'RunRecorder',
        'FailedByRecorder',
        'FindRecorderTask',
        'HasRecorderTask',
        'StopRecorderTask',
        'WaitForRecorderExit',
        'SalvageRecording',
        'WasSalvaged',
        'UseSalvagedReport',
        'FinalizeRecording',
        'NotifyHost',
        'RecordEmailFailure',
        'IsReminderDue',
        'WaitForReminder',
        'RemindHost',
        'ReminderFailed',
        'Done',
        'MarkErrored',
        'RecordingErrored',
        'NoteLaunchDelay',
        'LaunchAgain',
        'WaitBeforeRelaunch',
        'MarkErroredFailed',
        'LeftToReconciler',
      ].sort(),
    );
  });

  it('IsRecovery: a recovery execution (recover: true) skips the launch for the task lookup', () => {
    expect(state('IsRecovery')).toEqual({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.recover', IsPresent: true },
            { Variable: '$.recover', BooleanEquals: true },
          ],
          Next: 'FindRecorderTask',
        },
      ],
      Default: 'RunRecorder',
    });
  });

  it('RunRecorder: ecs:runTask with a task token, heartbeat 180 s, timeout from the input, result at $.recorder', () => {
    const run = state('RunRecorder');
    expect(run).toMatchObject({
      Type: 'Task',
      Resource: expect.stringMatching(/:states:::ecs:runTask\.waitForTaskToken$/),
      HeartbeatSeconds: 180,
      TimeoutSecondsPath: '$.timeoutSeconds',
      ResultPath: '$.recorder',
      Next: 'FinalizeRecording',
    });
    expect(run.TimeoutSeconds).toBeUndefined();
    const parameters = run.Parameters as {
      LaunchType: string;
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: string } };
      Overrides: { ContainerOverrides: Array<{ Name: string; Environment: Array<Record<string, string>> }> };
    };
    expect(parameters.LaunchType).toBe('FARGATE');
    expect(parameters.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
    const env = Object.fromEntries(
      (parameters.Overrides.ContainerOverrides[0]?.Environment ?? []).map((e) => [
        e.Name,
        e['Value.$'] ?? e.Value,
      ]),
    );
    expect(env).toEqual({
      RECORDING_ID: '$.recordingId',
      MEETING_URL: '$.meetingUrl',
      OBJECT_KEY: '$.objectKey',
      MAX_DURATION_SECONDS: "States.Format('{}', $.maxDurationSeconds)",
      RESOLUTION: '$.resolution',
      FORMAT: '$.format',
      TASK_TOKEN: '$$.Task.Token',
    });
    expect(parameters.Overrides.ContainerOverrides[0]?.Name).toBe('recorder');
  });

  it('RunRecorder retries capacity and throttling errors of RunTask with backoff, and catches everything else', () => {
    const run = state('RunRecorder');
    expect(run.Retry).toEqual([
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['ECS.AmazonECSException', 'ECS.ThrottlingException']),
        BackoffRate: 2,
        MaxAttempts: 5,
      }),
    ]);
    expect(run.Catch).toEqual([
      {
        ErrorEquals: [
          'AmazonECS.Unknown',
          'ECS.InvalidParameterException',
          'ECS.AmazonECSException',
          'ECS.ServerException',
          'ECS.ThrottlingException',
          'ECS.LimitExceededException',
          'Recorder.StoppedBeforeRecording',
        ],
        ResultPath: '$.launchFailure',
        Next: 'NoteLaunchDelay',
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'FailedByRecorder' },
    ]);
    expect(state('FailedByRecorder')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.failure.Error', StringMatches: 'Recorder.*', Next: 'SalvageRecording' }],
      Default: 'FindRecorderTask',
    });
  });

  it('launch loop: NoteLaunchDelay answers the wait, WaitBeforeRelaunch waits it, RunRecorder again; give up → MarkErrored', () => {
    expect(state('NoteLaunchDelay')).toMatchObject({
      ResultPath: '$.launchDelay',
      Next: 'LaunchAgain',
      Catch: [
        { ErrorEquals: LAMBDA_RETRY_ERRORS, ResultPath: '$.transientFailure', Next: 'LeftToReconciler' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'FindRecorderTask' },
      ],
    });
    expect(state('LaunchAgain')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.launchDelay.retry', BooleanEquals: true, Next: 'WaitBeforeRelaunch' }],
      Default: 'MarkErrored',
    });
    expect(state('WaitBeforeRelaunch')).toEqual({
      Type: 'Wait',
      SecondsPath: '$.launchDelay.waitSeconds',
      Next: 'RunRecorder',
    });
    const fn = logicalId(s.assertions, 'AWS::Lambda::Function', 'WorkflowNoteLaunchDelayFunction');
    expect(s.template.Resources[fn]?.Properties?.Environment).toMatchObject({
      Variables: { LAUNCH_RETRY_WINDOW_SECONDS: '600' },
    });
  });

  it('every Lambda step retries throttling, service faults, timeouts and transient dependencies with full jitter', () => {
    for (const name of Object.keys(s.lambdaStates)) {
      const retry = state(name).Retry as Record<string, unknown>[];
      expect(retry[0], name).toEqual({
        ErrorEquals: LAMBDA_RETRY_ERRORS,
        IntervalSeconds: 5,
        MaxAttempts: 11,
        BackoffRate: 2,
        MaxDelaySeconds: 180,
        JitterStrategy: 'FULL',
      });
      expect(retry[0]?.ErrorEquals).toEqual(
        expect.arrayContaining(['Lambda.TooManyRequestsException', 'TransientDependencyError']),
      );
    }
    // With full jitter each wait is uniform up to its nominal value: ≈ 20 min at most, ≈ 10 on average.
    const retry = state('FinalizeRecording').Retry as { MaxAttempts: number }[];
    const nominal = Array.from({ length: retry[0]?.MaxAttempts ?? 0 }, (_, k) => Math.min(180, 5 * 2 ** k));
    expect(nominal.reduce((a, b) => a + b, 0)).toBe(1215);
  });

  it('a step out of retries on what heals leaves the recording to the reconciler; MarkErrored failing has its own Fail', () => {
    for (const name of ['SalvageRecording', 'FinalizeRecording']) {
      expect((state(name).Catch as unknown[])[0], name).toEqual({
        ErrorEquals: LAMBDA_RETRY_ERRORS,
        ResultPath: '$.transientFailure',
        Next: 'LeftToReconciler',
      });
    }
    expect(state('LeftToReconciler')).toMatchObject({ Type: 'Fail', Error: 'LeftToReconciler' });
    expect(state('MarkErrored').Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.markErroredFailure', Next: 'MarkErroredFailed' },
    ]);
    expect(state('MarkErroredFailed')).toMatchObject({ Type: 'Fail', Error: 'MarkErroredFailed' });
  });

  it('stops the recorder task itself: taskArn from DynamoDB, ecs:stopTask, errors caught, then its SIGTERM window', () => {
    expect(state('FindRecorderTask')).toMatchObject({
      Resource: expect.stringMatching(/:states:::dynamodb:getItem$/),
      Parameters: {
        Key: { pk: { 'S.$': "States.Format('REC#{}', $.recordingId)" }, sk: { S: 'REC' } },
        ConsistentRead: true,
        ProjectionExpression: 'taskArn',
      },
      ResultPath: '$.recorderTask',
      Next: 'HasRecorderTask',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.stopError', Next: 'SalvageRecording' }],
    });
    expect(state('HasRecorderTask')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.recorderTask.Item.taskArn.S', IsPresent: true, Next: 'StopRecorderTask' }],
      Default: 'SalvageRecording',
    });
    expect(state('StopRecorderTask')).toMatchObject({
      Resource: expect.stringMatching(/:states:::aws-sdk:ecs:stopTask$/),
      Parameters: { 'Task.$': '$.recorderTask.Item.taskArn.S' },
      ResultPath: null,
      Next: 'WaitForRecorderExit',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.stopError', Next: 'SalvageRecording' }],
    });
    expect(state('WaitForRecorderExit')).toEqual({ Type: 'Wait', Seconds: 130, Next: 'SalvageRecording' });
  });

  it('salvages or marks ERRORED', () => {
    expect(state('SalvageRecording')).toMatchObject({ ResultPath: '$.salvage', Next: 'WasSalvaged' });
    expect((state('SalvageRecording').Catch as unknown[])[1]).toEqual({
      ErrorEquals: ['States.ALL'],
      ResultPath: '$.salvageError',
      Next: 'MarkErrored',
    });
    expect(state('WasSalvaged')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.salvage.salvaged', BooleanEquals: true, Next: 'UseSalvagedReport' }],
      Default: 'MarkErrored',
    });
    expect(state('UseSalvagedReport')).toEqual({
      Type: 'Pass',
      InputPath: '$.salvage.report',
      ResultPath: '$.recorder',
      Next: 'FinalizeRecording',
    });
    expect(state('MarkErrored')).toMatchObject({ ResultPath: null, Next: 'RecordingErrored' });
    expect(state('RecordingErrored')).toMatchObject({ Type: 'Fail', Error: 'RecordingErrored' });
  });

  it('finalizes, then notifies the host with retries on SES throttling; a permanent failure is recorded', () => {
    expect(state('FinalizeRecording')).toMatchObject({ Next: 'NotifyHost' });
    expect((state('FinalizeRecording').Catch as unknown[])[1]).toEqual({
      ErrorEquals: ['States.ALL'],
      ResultPath: '$.failure',
      Next: 'MarkErrored',
    });
    const notify = state('NotifyHost');
    expect(notify).toMatchObject({
      Next: 'IsReminderDue',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.emailFailure', Next: 'RecordEmailFailure' }],
    });
    expect(notify.Retry).toContainEqual({
      ErrorEquals: ['EmailThrottled', 'EmailTransient'],
      IntervalSeconds: 5,
      MaxAttempts: 14,
      BackoffRate: 2,
      MaxDelaySeconds: 300,
      JitterStrategy: 'FULL',
    });
    expect(state('RecordEmailFailure')).toMatchObject({ ResultPath: null, Next: 'Done' });
    expect(state('Done')).toEqual({ Type: 'Succeed' });
  });

  it('waits until the reminder is due when NotifyHost names a time, reminds with the email retries, and a failed reminder fails alone', () => {
    expect(state('IsReminderDue')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.notification.remindAt', IsPresent: true, Next: 'WaitForReminder' }],
      Default: 'Done',
    });
    expect(state('WaitForReminder')).toEqual({
      Type: 'Wait',
      TimestampPath: '$.notification.remindAt',
      Next: 'RemindHost',
    });
    const remind = state('RemindHost');
    expect(remind).toMatchObject({
      ResultPath: '$.reminder',
      Next: 'Done',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.reminderFailure', Next: 'ReminderFailed' }],
    });
    expect(remind.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ['EmailThrottled', 'EmailTransient'] }),
    );
    expect(state('ReminderFailed')).toMatchObject({ Type: 'Fail', Error: 'ReminderFailed' });
  });

  it('binds each Lambda state to its handler; each gets the whole state (no Parameters)', () => {
    expect(s.lambdaStates).toEqual({
      SalvageRecording: 'workflow/salvage-recording',
      FinalizeRecording: 'workflow/finalize-recording',
      NotifyHost: 'workflow/notify-host',
      RecordEmailFailure: 'workflow/record-email-failure',
      RemindHost: 'workflow/remind-host',
      MarkErrored: 'workflow/mark-errored',
      NoteLaunchDelay: 'workflow/note-launch-delay',
    });
    for (const name of Object.keys(s.lambdaStates)) {
      expect(state(name).Resource).toMatch(/^\$\{Workflow\w+Function\w+\.Arn\}$/);
      expect(state(name).Parameters).toBeUndefined();
    }
  });

  it("the definition handed to local mode is the template's, unaltered but for placeholders", () => {
    const machine = Object.values(s.template.Resources).find(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    expect(JSON.parse(renderDefinitionString(machine?.Properties?.DefinitionString))).toEqual(definition);
  });

  it('the state machine role may run and pass only the recorder task and stop tasks of its cluster', () => {
    const roleId = logicalId(s.assertions, 'AWS::IAM::Role', 'WorkflowStateMachineRole');
    const statements = statementsOfRole(s.assertions, roleId);
    const byAction = (action: string) =>
      statements.filter((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]).includes(action));
    expect(byAction('ecs:RunTask')).toHaveLength(1);
    expect(JSON.stringify(byAction('ecs:stopTask')[0]?.Resource)).toMatch(/:task\/.*RecorderCluster.*\/\*/);
    const passRole = byAction('iam:PassRole')[0];
    expect(JSON.stringify(passRole?.Resource)).toMatch(/RecorderTaskDefinition(Task|Execution)Role/);
    expect(byAction('dynamodb:GetItem')).toHaveLength(1);
    expect(byAction('dynamodb:PutItem')).toHaveLength(0);
  });
});
