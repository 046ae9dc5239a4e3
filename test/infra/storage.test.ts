import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, Match, SYNTH_TIMEOUT, type Synthesized, synth } from './helpers.js';

describe('storage', () => {
  let s: Synthesized;
  let custom: Synthesized;
  beforeAll(() => {
    s = synth();
    custom = synth({ retentionDays: 10, linkTtlDays: 3, removalPolicy: 'destroy', serverAccessLogs: false });
  }, SYNTH_TIMEOUT);

  const recordingsBucket = (x: Synthesized) => {
    const id = logicalId(x.assertions, 'AWS::S3::Bucket', 'Recordings');
    return {
      id,
      props: x.assertions.findResources('AWS::S3::Bucket')[id]?.Properties as Record<string, unknown>,
    };
  };

  it('blocks public access, encrypts with a rotating KMS key, keeps no versions', () => {
    const { props } = recordingsBucket(s);
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(s.assertions, 'AWS::KMS::Key', 'BucketKey'), 'Arn'] },
          },
        },
      ],
    });
    expect(props.VersioningConfiguration).toBeUndefined();
    s.assertions.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Encrypts recordings at rest',
      EnableKeyRotation: true,
    });
  });

  it('expires recordings after the retention, archives and incomplete uploads after a day', () => {
    expect(recordingsBucket(s).props.LifecycleConfiguration).toEqual({
      Rules: [
        { Id: 'expire-recordings', Prefix: 'recordings/', ExpirationInDays: 30, Status: 'Enabled' },
        { Id: 'expire-archives', Prefix: 'archives/', ExpirationInDays: 1, Status: 'Enabled' },
        {
          Id: 'abort-incomplete-multipart-uploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
      ],
    });
    expect(recordingsBucket(custom).props.LifecycleConfiguration).toMatchObject({
      Rules: [
        { ExpirationInDays: 10 },
        { ExpirationInDays: 1 },
        { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
      ],
    });
  });

  it('denies every request that is not TLS (1.2 or newer)', () => {
    const { id } = recordingsBucket(s);
    s.assertions.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      },
    });
  });

  it('writes server access logs to a private, TLS-only logs bucket unless switched off', () => {
    const logs = logicalId(s.assertions, 'AWS::S3::Bucket', 'AccessLogs');
    expect(recordingsBucket(s).props.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logs },
      LogFilePrefix: 'recordings-bucket/',
    });
    s.assertions.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logs },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(recordingsBucket(custom).props.LoggingConfiguration).toBeUndefined();
    custom.assertions.resourceCountIs('AWS::S3::Bucket', 1);
  });

  it('keeps data on stack deletion by default and deletes it when asked', () => {
    s.assertions.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ LifecycleConfiguration: Match.anyValue() }),
    });
    s.assertions.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    custom.assertions.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    custom.assertions.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    s.assertions.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  });

  it('has the one table of docs/internals.md: keys, on demand, PITR, TTL, encryption, stream', () => {
    s.assertions.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.assertions.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('has the byMeeting, byClient and (sparse) byLive indexes, projecting everything', () => {
    s.assertions.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byMeeting',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byClient',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byLive',
          KeySchema: [
            { AttributeName: 'gsi3pk', KeyType: 'HASH' },
            { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });
});
