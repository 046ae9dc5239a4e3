import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LIFECYCLE_EXPIRATION } from '../lambdas/recordings/object-expiry.js';
import type { RecordingConfig } from './config.js';
import { tableStatement } from './dynamo-access.js';
import { LambdaFunction } from './lambda-function.js';
import { RECORDINGS_PREFIX } from './storage-construct.js';

export interface ExpiryConstructProps {
  readonly config: RecordingConfig;
  /** The recordings bucket, with EventBridge notifications on. */
  readonly bucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Lifecycle expiry made visible: S3 publishes "Object Deleted" with reason "Lifecycle Expiration" to
 * EventBridge when the retention rule deletes a recording's file; a rule sends those under recordings/ to
 * `object-expired`, which marks the recording DELETED (the table stream then fires `recording.deleted`).
 * EventBridge invokes asynchronously: Lambda retries a failed event twice, then it waits in a dead-letter queue.
 */
export class ExpiryConstruct extends Construct {
  readonly function: LambdaFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ExpiryConstructProps) {
    super(scope, id);
    const { config, bucket, table } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination (of the expiry function); it needs none of its own.',
    });

    this.function = new LambdaFunction(this, 'ObjectExpiredFunction', {
      handler: 'object-expired',
      description: 'Marks a recording DELETED when the lifecycle rule expires its file',
      timeout: Duration.seconds(30),
      memorySize: 256,
      logRetention: props.logRetention,
      removalPolicy,
      environment: { TABLE_NAME: table.tableName },
    });
    this.function.allow(tableStatement(table, ['UpdateItem'], { leadingKeys: ['REC#*'] }));
    this.function.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new lambdaDestinations.SqsDestination(this.deadLetterQueue),
    });

    this.rule = new events.Rule(this, 'LifecycleExpirationRule', {
      description: 'Recording files deleted by the retention rule',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Deleted'],
        resources: [bucket.bucketArn],
        detail: {
          bucket: { name: [bucket.bucketName] },
          object: { key: events.Match.prefix(RECORDINGS_PREFIX) },
          reason: [LIFECYCLE_EXPIRATION],
        },
      },
      targets: [
        new targets.LambdaFunction(this.function.function, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}
