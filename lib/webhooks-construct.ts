import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WEBHOOK_FUNCTION_TIMEOUT_SECONDS } from '../lambdas/webhooks/delivery-timing.js';
import type { RecordingConfig } from './config.js';
import { tableStatement } from './dynamo-access.js';
import { LambdaFunction } from './lambda-function.js';

export interface WebhooksConstructProps {
  readonly config: RecordingConfig;
  readonly table: dynamodb.ITable;
  readonly logRetention: logs.RetentionDays;
}

const DELIVER_TIMEOUT = Duration.seconds(WEBHOOK_FUNCTION_TIMEOUT_SECONDS);

/**
 * Webhooks: the table's stream feeds `webhook-stream`, which turns recording changes into events on the
 * delivery queue; `webhook-deliver` posts a batch's events all at once, signed, each with its own timeout,
 * and hands back only the failed ones (batch item failures), each hidden for its own growing backoff, until
 * `webhookMaxAttempts`, then SQS moves them to the dead-letter queue: a dead endpoint costs only its own
 * messages their attempts. Both queues are encrypted and TLS only.
 */
export class WebhooksConstruct extends Construct {
  readonly deliveryQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** Stream batches that the dispatcher could not handle after its retries. */
  readonly streamFailureQueue: sqs.Queue;
  readonly streamFunction: LambdaFunction;
  readonly deliverFunction: LambdaFunction;

  constructor(scope: Construct, id: string, props: WebhooksConstructProps) {
    super(scope, id);
    const { config, table } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const queue = (queueId: string, extra: Partial<sqs.QueueProps> = {}) =>
      new sqs.Queue(this, queueId, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy,
        ...extra,
      });

    this.deadLetterQueue = queue('DeadLetterQueue');
    this.streamFailureQueue = queue('StreamFailureQueue');
    Validations.of(this.streamFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination (of the stream consumer); it needs none of its own.',
    });
    this.deliveryQueue = queue('DeliveryQueue', {
      // Lambda's guidance: at least six times the consumer's timeout.
      visibilityTimeout: Duration.seconds(DELIVER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: config.webhookMaxAttempts },
    });

    const fn = (fnId: string, handler: string, description: string, environment: Record<string, string>) =>
      new LambdaFunction(this, fnId, {
        handler,
        description,
        timeout: DELIVER_TIMEOUT,
        memorySize: 256,
        logRetention: props.logRetention,
        removalPolicy,
        environment: { TABLE_NAME: table.tableName, ...environment },
      });

    this.streamFunction = fn(
      'StreamFunction',
      'webhook-stream',
      'Turns recording changes into webhook events',
      {
        WEBHOOK_QUEUE_URL: this.deliveryQueue.queueUrl,
      },
    );
    this.streamFunction.allow(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deliveryQueue.queueArn] }),
    );
    this.streamFunction.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 5,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.streamFailureQueue),
        // Only recording items produce events; locks, keys, idempotency and link items never do.
        filters: [
          lambda.FilterCriteria.filter({
            dynamodb: { Keys: { sk: { S: lambda.FilterRule.isEqual('REC') } } },
          }),
        ],
      }),
    );

    this.deliverFunction = fn(
      'DeliverFunction',
      'webhook-deliver',
      'Posts signed webhook events to clients',
      {
        WEBHOOK_MAX_ATTEMPTS: String(config.webhookMaxAttempts),
        WEBHOOK_QUEUE_URL: this.deliveryQueue.queueUrl,
      },
    );
    this.deliverFunction.allow(tableStatement(table, ['GetItem'], { leadingKeys: ['CLIENT#*'] }));
    this.deliverFunction.function.addEventSource(
      new SqsEventSource(this.deliveryQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    // Backoff: a failed delivery hides its message for longer on each attempt.
    this.deliverFunction.allow(
      new iam.PolicyStatement({
        actions: ['sqs:ChangeMessageVisibility'],
        resources: [this.deliveryQueue.queueArn],
      }),
    );
  }
}
