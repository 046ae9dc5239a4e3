import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  envOfFunction,
  logicalId,
  Match,
  SYNTH_TIMEOUT,
  type Synthesized,
  statementsOfFunction,
  synth,
} from './helpers.js';

describe('webhooks and alarms', () => {
  let s: Synthesized;
  let quiet: Synthesized;
  beforeAll(() => {
    s = synth({ webhookMaxAttempts: 5, alarmEmail: 'ops@acme.io' });
    quiet = synth({ webhooksEnabled: false });
  }, SYNTH_TIMEOUT);

  it('delivery queue: encrypted, TLS only, dead letters after webhookMaxAttempts', () => {
    const dlq = logicalId(s.assertions, 'AWS::SQS::Queue', 'WebhooksDeadLetterQueue');
    s.assertions.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 90,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
    });
    for (const queue of Object.values(s.assertions.findResources('AWS::SQS::Queue'))) {
      expect((queue.Properties as Record<string, unknown>).SqsManagedSseEnabled).toBe(true);
    }
    s.assertions.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      5,
    );
  });

  it('the stream feeds webhook-stream (recording items only), the queue feeds webhook-deliver', () => {
    s.assertions.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: {
        'Fn::GetAtt': [logicalId(s.assertions, 'AWS::DynamoDB::Table', 'StorageTable'), 'StreamArn'],
      },
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: ['REC'] } } } }) }],
      },
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [logicalId(s.assertions, 'AWS::SQS::Queue', 'StreamFailureQueue'), 'Arn'],
          },
        },
      },
    });
    s.assertions.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: {
        'Fn::GetAtt': [logicalId(s.assertions, 'AWS::SQS::Queue', 'WebhooksDeliveryQueue'), 'Arn'],
      },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(envOfFunction(s.assertions, 'WebhooksStream')).toMatchObject({
      WEBHOOK_QUEUE_URL: expect.anything(),
    });
    expect(envOfFunction(s.assertions, 'WebhooksDeliver')).toMatchObject({
      WEBHOOK_QUEUE_URL: expect.anything(),
      WEBHOOK_MAX_ATTEMPTS: '5',
    });
    const deliver = actionsOf(statementsOfFunction(s.assertions, 'WebhooksDeliver'));
    expect(deliver).toContain('sqs:ChangeMessageVisibility');
    expect(deliver.filter((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:GetItem')).toEqual([]);
  });

  it('webhooks can be switched off', () => {
    // Only the expiry dead-letter queue and the archive builder's failure queue and stream remain.
    quiet.assertions.resourceCountIs('AWS::SQS::Queue', 2);
    quiet.assertions.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  it('alarms: failed executions, ERRORED recordings, email failures, dead letters, errors of every function', () => {
    interface AlarmJson {
      AlarmDescription: string;
      MetricName?: string;
      Namespace?: string;
      Dimensions?: Array<{ Value: { Ref: string } }>;
      AlarmActions: unknown;
    }
    const alarms = Object.values(s.assertions.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties as AlarmJson,
    );
    const described = (text: RegExp) => alarms.filter((a) => text.test(a.AlarmDescription));
    expect(described(/executions failed/)).toHaveLength(1);
    expect(described(/ended ERRORED/)).toHaveLength(1);
    expect(described(/host email failed/)).toHaveLength(1);
    expect(described(/dead-letter queue/)).toHaveLength(4);
    const functions = Object.keys(s.assertions.findResources('AWS::Lambda::Function'));
    const errorAlarms = alarms.filter((a) => a.MetricName === 'Errors' && a.Namespace === 'AWS/Lambda');
    expect(errorAlarms.map((a) => a.Dimensions?.[0]?.Value.Ref).sort()).toEqual(functions.sort());
    const topic = logicalId(s.assertions, 'AWS::SNS::Topic', 'MonitoringAlarms');
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
  });

  it('alarms when the workflow gives a recording up to the reconciler: MarkErroredFailed, LeftToReconciler', () => {
    const workflowLogs = logicalId(s.assertions, 'AWS::Logs::LogGroup', 'WorkflowLogs');
    for (const error of ['MarkErroredFailed', 'LeftToReconciler']) {
      s.assertions.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: workflowLogs },
        FilterPattern: `{ ($.type = "ExecutionFailed") && ($.details.error = "${error}") }`,
        MetricTransformations: [
          { MetricName: `Workflow${error}`, MetricNamespace: 'MeetingRecorder', MetricValue: '1' },
        ],
      });
      s.assertions.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: `Workflow${error}`,
        Namespace: 'MeetingRecorder',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('the alarm topic is encrypted, TLS only, and mails the alarm address', () => {
    s.assertions.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    s.assertions.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@acme.io',
    });
    s.assertions.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('outputs what devops need', () => {
    for (const output of ['ApiUrl', 'TableName', 'BucketName', 'StateMachineArn', 'AlarmTopicArn']) {
      s.assertions.hasOutput(output, Match.anyValue());
    }
  });
});
