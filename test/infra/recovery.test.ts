import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  envOfFunction,
  logicalId,
  Match,
  SYNTH_TIMEOUT,
  type Synthesized,
  statementsOfFunction,
  statementsWithAction,
  synth,
} from './helpers.js';

describe('recovery: stopped recorder tasks and the reconciler', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ reconcileIntervalMinutes: 2 });
  }, SYNTH_TIMEOUT);

  const fnArn = (fragment: string) => ({
    'Fn::GetAtt': [logicalId(s.assertions, 'AWS::Lambda::Function', fragment), 'Arn'],
  });
  const stateMachine = () => ({
    Ref: logicalId(s.assertions, 'AWS::StepFunctions::StateMachine', 'Workflow'),
  });

  it('sends the stop events of the recorder cluster tasks to recorder-task-stopped, retried', () => {
    s.assertions.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          lastStatus: ['STOPPED'],
          clusterArn: [{ 'Fn::GetAtt': [logicalId(s.assertions, 'AWS::ECS::Cluster', 'Recorder'), 'Arn'] }],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: fnArn('TaskStoppedFunction'),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }),
        }),
      ],
    });
  });

  it('recorder-task-stopped may read recordings and fail task tokens of this state machine, nothing else', () => {
    const statements = statementsOfFunction(s.assertions, 'TaskStoppedFunction');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:GetItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'states:SendTaskFailure',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statementsWithAction(statements, 'states:SendTaskFailure')[0]?.Resource).toEqual(stateMachine());
    expect(statementsWithAction(statements, 'dynamodb:GetItem')[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REC#*'] },
    });
  });

  it('runs the reconciler every reconcileIntervalMinutes', () => {
    s.assertions.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(2 minutes)',
      Targets: [Match.objectLike({ Arn: fnArn('ReconcileFunction') })],
    });
    expect(envOfFunction(s.assertions, 'ReconcileFunction')).toMatchObject({
      STATE_MACHINE_ARN: stateMachine(),
      TABLE_NAME: { Ref: logicalId(s.assertions, 'AWS::DynamoDB::Table', 'StorageTable') },
    });
  });

  it('the reconciler queries the live index, writes recordings and locks, and drives only this state machine', () => {
    const statements = statementsOfFunction(s.assertions, 'ReconcileFunction');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'states:DescribeExecution',
      'states:StartExecution',
      'states:StopExecution',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const query = statementsWithAction(statements, 'dynamodb:Query')[0];
    expect(JSON.stringify(query?.Resource)).toContain('/index/byLive');
    expect(query?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LIVE'] } });
    expect(statementsWithAction(statements, 'dynamodb:UpdateItem')[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REC#*', 'LOCK#*'] },
    });
    expect(statementsWithAction(statements, 'states:StartExecution')[0]?.Resource).toEqual(stateMachine());
    const executions = JSON.stringify(statementsWithAction(statements, 'states:StopExecution')[0]?.Resource);
    expect(executions).toContain(':execution:');
    expect(executions).toContain(logicalId(s.assertions, 'AWS::StepFunctions::StateMachine', 'Workflow'));
  });

  it('the table has the sparse byLive index', () => {
    s.assertions.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'byLive',
          KeySchema: [
            { AttributeName: 'gsi3pk', KeyType: 'HASH' },
            { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
  });
});
