import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  logicalId,
  Match,
  SYNTH_TIMEOUT,
  type Synthesized,
  statementsOfFunction,
  statementsWithAction,
  synth,
} from './helpers.js';

describe('lifecycle expiry', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth();
  }, SYNTH_TIMEOUT);

  const bucketId = () => logicalId(s.assertions, 'AWS::S3::Bucket', 'Recordings');
  const functionId = () => logicalId(s.assertions, 'AWS::Lambda::Function', 'ExpiryObjectExpired');

  it("sends the recordings bucket's events to EventBridge", () => {
    const props = s.assertions.findResources('AWS::S3::Bucket')[bucketId()]?.Properties as Record<
      string,
      unknown
    >;
    expect(props.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
  });

  it('routes only lifecycle expirations of recording files to object-expired', () => {
    const rules = s.assertions.findResources('AWS::Events::Rule');
    const [rule, ...others] = Object.values(rules).filter((r) =>
      JSON.stringify(r).includes('Lifecycle Expiration'),
    ) as Array<{
      Properties: { EventPattern: unknown; Targets: Array<Record<string, unknown>>; State: string };
    }>;
    expect(others).toEqual([]);
    expect(rule?.Properties.State).toBe('ENABLED');
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Deleted'],
      resources: [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }],
      detail: {
        bucket: { name: [{ Ref: bucketId() }] },
        object: { key: [{ prefix: 'recordings/' }] },
        reason: ['Lifecycle Expiration'],
      },
    });
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [functionId(), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
      }),
    ]);
    s.assertions.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId(), 'Arn'] },
    });
  });

  it('lets the function only update recording items, and keeps the events it could not handle', () => {
    const statements = statementsOfFunction(s.assertions, 'ExpiryObjectExpired');
    const granted = actionsOf(statements).filter((action) => !/^(logs:|xray:)/.test(action));
    expect(granted).toEqual([
      'dynamodb:UpdateItem',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(statementsWithAction(statements, 'dynamodb:UpdateItem')[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REC#*'] },
    });
    const queueId = logicalId(s.assertions, 'AWS::SQS::Queue', 'ExpiryDeadLetterQueue');
    for (const statement of statementsWithAction(statements, 'sqs:SendMessage'))
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    s.assertions.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId() },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    s.assertions.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
    s.assertions.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TABLE_NAME: Match.anyValue() }) },
      Description: Match.stringLikeRegexp('lifecycle'),
    });
  });
});

describe('webhook delivery', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth();
  }, SYNTH_TIMEOUT);

  it('reports batch item failures and gives the function room for a batch of concurrent deliveries', () => {
    const fnId = logicalId(s.assertions, 'AWS::Lambda::Function', 'WebhooksDeliverFunction');
    const fn = s.assertions.findResources('AWS::Lambda::Function')[fnId] as {
      Properties: { Timeout: number };
    };
    expect(fn.Properties.Timeout).toBe(15);
    s.assertions.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    s.assertions.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 90,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 8 }),
    });
    const queueId = logicalId(s.assertions, 'AWS::SQS::Queue', 'WebhooksDeliveryQueue');
    const statements = statementsOfFunction(s.assertions, 'WebhooksDeliverFunction');
    for (const statement of statementsWithAction(statements, 'sqs:ChangeMessageVisibility'))
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
  });
});
