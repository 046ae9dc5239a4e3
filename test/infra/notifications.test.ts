import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  envOfFunction,
  logicalId,
  type PolicyStatementJson,
  SYNTH_TIMEOUT,
  type Synthesized,
  statementsOfFunction,
  statementsWithAction,
  synth,
} from './helpers.js';

describe('email and link signing', () => {
  let s: Synthesized;
  let redirect: Synthesized;
  beforeAll(() => {
    s = synth({ senderEmail: 'recordings@acme.io', sesIdentityDomain: 'acme.io' });
    redirect = synth({ linkMode: 'redirect', senderEmail: 'rec@acme.io' });
  }, SYNTH_TIMEOUT);

  const signingPolicy = (x: Synthesized): PolicyStatementJson[] => {
    const users = Object.keys(x.assertions.findResources('AWS::IAM::User'));
    const policies = Object.values(x.assertions.findResources('AWS::IAM::Policy')).filter((p) =>
      ((p.Properties as { Users?: Array<{ Ref: string }> }).Users ?? []).some((u) => users.includes(u.Ref)),
    );
    return policies.flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: PolicyStatementJson[] } }).PolicyDocument.Statement,
    );
  };

  it('presigned mode: a signing user that may only read recordings and decrypt them through S3', () => {
    s.assertions.resourceCountIs('AWS::IAM::User', 1);
    const statements = signingPolicy(s);
    expect(actionsOf(statements)).toEqual(['kms:Decrypt', 's3:GetObject']);
    expect(JSON.stringify(statementsWithAction(statements, 's3:GetObject')[0]?.Resource)).toContain(
      '/recordings/*',
    );
    expect(statementsWithAction(statements, 'kms:Decrypt')[0]).toMatchObject({
      Resource: { 'Fn::GetAtt': [logicalId(s.assertions, 'AWS::KMS::Key', 'BucketKey'), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
    });
    const user = Object.values(s.assertions.findResources('AWS::IAM::User'))[0]?.Properties as
      | Record<string, unknown>
      | undefined;
    expect(user?.LoginProfile).toBeUndefined();
    expect(user?.ManagedPolicyArns).toBeUndefined();
  });

  it('presigned mode: its access key lives in a secret as {accessKeyId, secretAccessKey}', () => {
    const keyId = logicalId(s.assertions, 'AWS::IAM::AccessKey', 'SigningKey');
    s.assertions.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: {
        'Fn::Join': [
          '',
          [
            '{"accessKeyId":"',
            { Ref: keyId },
            '","secretAccessKey":"',
            { 'Fn::GetAtt': [keyId, 'SecretAccessKey'] },
            '"}',
          ],
        ],
      },
    });
  });

  it('redirect mode: no long-term key at all', () => {
    redirect.assertions.resourceCountIs('AWS::IAM::User', 0);
    redirect.assertions.resourceCountIs('AWS::IAM::AccessKey', 0);
    expect(envOfFunction(redirect.assertions, 'NotifyHost')).toMatchObject({
      LINK_MODE: 'redirect',
      PUBLIC_API_URL: expect.anything(),
    });
    expect(envOfFunction(redirect.assertions, 'NotifyHost').SIGNING_SECRET_ARN).toBeUndefined();
  });

  it('a generated cursor key', () => {
    s.assertions.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('SES: configuration set and the domain (or the address) as identity', () => {
    s.assertions.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    s.assertions.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'acme.io' });
    redirect.assertions.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'rec@acme.io' });
    expect(Object.keys(s.assertions.findOutputs('*')).filter((k) => k.startsWith('SesDkim'))).toEqual([
      'SesDkimRecord1',
      'SesDkimRecord2',
      'SesDkimRecord3',
    ]);
    expect(Object.keys(redirect.assertions.findOutputs('*')).filter((k) => k.startsWith('SesDkim'))).toEqual(
      [],
    );
  });

  it('notify-host: sends only as the sender, through the configuration set, and reads the signing key', () => {
    const env = envOfFunction(s.assertions, 'NotifyHost');
    expect(env).toMatchObject({
      SENDER_EMAIL: 'recordings@acme.io',
      SES_CONFIGURATION_SET: {
        Ref: logicalId(s.assertions, 'AWS::SES::ConfigurationSet', 'ConfigurationSet'),
      },
      LINK_MODE: 'presigned',
      LINK_TTL_SECONDS: '604800',
      SIGNING_SECRET_ARN: { Ref: expect.stringMatching(/^NotificationsSigningSecret/) },
    });
    const statements = statementsOfFunction(s.assertions, 'NotifyHost');
    expect(statementsWithAction(statements, 'ses:SendEmail')[0]?.Condition).toEqual({
      StringEquals: { 'ses:FromAddress': 'recordings@acme.io' },
    });
    expect(actionsOf(statements).filter((a) => a.startsWith('s3:'))).toEqual([]);
  });

  it('workflow steps: each holds only what its step does', () => {
    const granted = (fragment: string) =>
      actionsOf(statementsOfFunction(s.assertions, fragment)).filter(
        (a) => !a.startsWith('logs:') && !a.startsWith('xray:'),
      );
    expect(granted('SalvageRecording')).toEqual([
      'dynamodb:GetItem',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      // The standard-MP4 rewrite's upload cleans up after itself when it fails.
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:ListMultipartUploadParts',
      's3:PutObject',
    ]);
    expect(granted('FinalizeRecording')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      's3:GetObject',
      's3:ListBucket',
    ]);
    expect(granted('RecordEmailFailure')).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(granted('MarkErrored')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
  });
});
