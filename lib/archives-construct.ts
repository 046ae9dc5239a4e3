import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ARCHIVES_PREFIX } from '../lambdas/archives/archive.js';
import { ARCHIVE_SORT_KEY } from '../lambdas/archives/archive-store.js';
import type { RecordingConfig } from './config.js';
import { tableStatement } from './dynamo-access.js';
import { LambdaFunction } from './lambda-function.js';
import { RECORDINGS_PREFIX } from './storage-construct.js';

export interface ArchivesConstructProps {
  readonly config: RecordingConfig;
  readonly table: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly bucketKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** Lambda's limit: the largest archive (ARCHIVE_MAX_BYTES) streams well inside it. */
const BUILD_TIMEOUT = Duration.minutes(15);

/**
 * ZIP archives of several recordings: an archive item written PENDING reaches `archive-build` through
 * the table's stream (only those items pass the filter), which streams the files into one ZIP under
 * archives/. A build that keeps failing goes to the failure queue after its retries; the API then shows
 * it FAILED once its deadline passes, and asking again builds it anew.
 */
export class ArchivesConstruct extends Construct {
  readonly buildFunction: LambdaFunction;
  readonly failureQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ArchivesConstructProps) {
    super(scope, id);
    const { config, table, bucket, bucketKey } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.failureQueue = new sqs.Queue(this, 'BuildFailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination (of the archive builder); it needs none of its own.',
    });

    this.buildFunction = new LambdaFunction(this, 'BuildFunction', {
      handler: 'archive-build',
      description: 'Streams several recordings into one ZIP archive',
      timeout: BUILD_TIMEOUT,
      // More memory is more network and CPU; the build itself buffers a few 5 MiB parts.
      memorySize: 1024,
      logRetention: props.logRetention,
      removalPolicy,
      environment: { TABLE_NAME: table.tableName, BUCKET_NAME: bucket.bucketName },
    });
    const fn = this.buildFunction;
    fn.allow(tableStatement(table, ['GetItem'], { leadingKeys: ['REC#*', 'ARC#*'] }));
    fn.allow(tableStatement(table, ['UpdateItem'], { leadingKeys: ['ARC#*'] }));
    const recordings = bucket.arnForObjects(`${RECORDINGS_PREFIX}*`);
    const archives = bucket.arnForObjects(`${ARCHIVES_PREFIX}*`);
    fn.allow(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [recordings, archives] }));
    fn.allow(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [archives],
      }),
    );
    fn.allow(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [bucketKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    fn.acknowledgeWildcardResource(recordings, 'Reads the recordings of whichever archive was asked for.');
    fn.acknowledgeWildcardResource(archives, 'Writes whichever archive was asked for.');

    fn.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 1,
        // Archives of different ids build side by side, up to 10 per stream shard.
        parallelizationFactor: 10,
        retryAttempts: 2,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failureQueue),
        filters: [
          lambda.FilterCriteria.filter({
            dynamodb: {
              Keys: { sk: { S: lambda.FilterRule.isEqual(ARCHIVE_SORT_KEY) } },
              NewImage: { status: { S: lambda.FilterRule.isEqual('PENDING') } },
            },
          }),
        ],
      }),
    );
  }
}
