import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVES_PREFIX } from '../lambdas/archives/archive.js';
import type { RecordingConfig } from './config.js';
import { TABLE_SCHEMA } from './table-schema.js';

/** Every recording file lives under this prefix: `recordings/<clientId>/<meetingId>/<recordingId>/<file>`. */
export const RECORDINGS_PREFIX = 'recordings/';

export interface StorageConstructProps {
  readonly config: RecordingConfig;
}

/** The recordings bucket (KMS, TLS only, private, expiring) and the one DynamoDB table. */
export class StorageConstruct extends Construct {
  readonly bucket: s3.Bucket;
  readonly bucketKey: kms.Key;
  readonly accessLogsBucket?: s3.Bucket;
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StorageConstructProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;

    this.bucketKey = new kms.Key(this, 'BucketKey', {
      description: 'Encrypts recordings at rest',
      enableKeyRotation: true,
      removalPolicy,
    });

    if (config.serverAccessLogs) {
      // Server access logs can only be delivered to a bucket encrypted with S3-managed keys.
      this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        lifecycleRules: [
          { id: 'expire-access-logs', expiration: Duration.days(Math.max(90, config.retentionDays)) },
        ],
        removalPolicy,
        autoDeleteObjects: destroy,
      });
    }

    this.bucket = new s3.Bucket(this, 'Recordings', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.bucketKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...(this.accessLogsBucket
        ? { serverAccessLogsBucket: this.accessLogsBucket, serverAccessLogsPrefix: 'recordings-bucket/' }
        : {}),
      lifecycleRules: [
        {
          id: 'expire-recordings',
          prefix: RECORDINGS_PREFIX,
          expiration: Duration.days(config.retentionDays),
        },
        // An archive is downloadable for a day (lambdas/archives/archive.ts); S3 removes it after that.
        { id: 'expire-archives', prefix: ARCHIVES_PREFIX, expiration: Duration.days(1) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    // Lifecycle expirations reach EventBridge, where the expiry rule marks their recordings DELETED. Set on
    // the bucket itself: `eventBridgeEnabled` would add a custom resource and its wildcard-permission Lambda.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    if (!this.accessLogsBucket) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'Server access logs were switched off by the deployment (context serverAccessLogs=false).',
      });
    }

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: !destroy,
      removalPolicy,
    });
    for (const [indexName, keys] of Object.entries(TABLE_SCHEMA.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: keys.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: keys.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** ARN pattern of every recording object. */
  get recordingsArn(): string {
    return this.bucket.arnForObjects(`${RECORDINGS_PREFIX}*`);
  }

  /** ARNs of the table's indexes, by name. */
  indexArn(indexName: keyof typeof TABLE_SCHEMA.indexes): string {
    return `${this.table.tableArn}/index/${indexName}`;
  }
}
