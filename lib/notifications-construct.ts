import { Aws, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ARCHIVES_PREFIX } from '../lambdas/archives/archive.js';
import type { RecordingConfig } from './config.js';
import type { LambdaFunction } from './lambda-function.js';
import { acknowledgeWildcardResource } from './nag.js';
import { RECORDINGS_PREFIX } from './storage-construct.js';

export interface NotificationsConstructProps {
  readonly config: RecordingConfig;
  readonly bucket: s3.IBucket;
  readonly bucketKey: kms.IKey;
}

/**
 * Email and link signing: the SES identity and configuration set of the host email, the read-only
 * identity that signs 7-day presigned links (presigned mode), and the HMAC key of list cursors.
 */
export class NotificationsConstruct extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly emailIdentity: ses.EmailIdentity;
  /** `{ accessKeyId, secretAccessKey }` of the signing user; only in presigned mode. */
  readonly signingSecret?: secretsmanager.Secret;
  readonly signingUser?: iam.User;
  readonly cursorSecret: secretsmanager.Secret;
  private readonly senderEmail: string;

  constructor(scope: Construct, id: string, props: NotificationsConstructProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.senderEmail = config.senderEmail;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.emailIdentity = new ses.EmailIdentity(this, 'Identity', {
      identity: config.sesIdentityDomain
        ? ses.Identity.domain(config.sesIdentityDomain)
        : ses.Identity.email(config.senderEmail),
      configurationSet: this.configurationSet,
    });

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'HMAC key that makes list cursors tamper-proof',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Cursor HMAC key: rotating it only invalidates list cursors in flight, so a rotation Lambda is not ' +
        'warranted; rotate it by hand with secretsmanager put-secret-value if it ever leaks.',
    });

    if (config.linkMode === 'presigned') {
      this.signingUser = new iam.User(this, 'SigningUser');
      // Read-only: it can fetch recordings and nothing else; no console access, no other keys.
      const signingPolicy = new iam.Policy(this, 'SigningPolicy', {
        statements: [
          new iam.PolicyStatement({
            sid: 'ReadRecordingsAndArchives',
            actions: ['s3:GetObject'],
            resources: [
              props.bucket.arnForObjects(`${RECORDINGS_PREFIX}*`),
              props.bucket.arnForObjects(`${ARCHIVES_PREFIX}*`),
            ],
          }),
          new iam.PolicyStatement({
            sid: 'DecryptRecordingsThroughS3',
            actions: ['kms:Decrypt'],
            resources: [props.bucketKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
          }),
        ],
      });
      this.signingUser.attachInlinePolicy(signingPolicy);
      acknowledgeWildcardResource(
        signingPolicy,
        props.bucket.arnForObjects(`${RECORDINGS_PREFIX}*`),
        'The signing identity must be able to read every recording (and only recordings) to sign their links.',
      );
      acknowledgeWildcardResource(
        signingPolicy,
        props.bucket.arnForObjects(`${ARCHIVES_PREFIX}*`),
        'It signs the URLs of archives too, each one of whichever archive its client asked for.',
      );
      const accessKey = new iam.AccessKey(this, 'SigningKey', { user: this.signingUser });
      this.signingSecret = new secretsmanager.Secret(this, 'SigningSecret', {
        description: 'Long-term access key of the read-only identity that signs 7-day recording links',
        secretObjectValue: {
          accessKeyId: SecretValue.unsafePlainText(accessKey.accessKeyId),
          secretAccessKey: accessKey.secretAccessKey,
        },
        removalPolicy,
      });
      Validations.of(this.signingSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotating the signing key would break links already emailed (a presigned URL dies with its key); ' +
          'it is rotated by hand as the README describes, or avoided entirely with linkMode=redirect.',
      });
    }
  }

  /** Lets a function send the host email: only from the configured sender, only through this configuration set. */
  allowSendEmail(grantee: LambdaFunction): void {
    const anyIdentity = `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`;
    grantee.allow(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          anyIdentity,
          `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${this.configurationSet.configurationSetName}`,
        ],
        conditions: { StringEquals: { 'ses:FromAddress': this.senderEmail } },
      }),
    );
    grantee.acknowledgeWildcardResource(
      anyIdentity,
      'SES authorizes the sender identity and, in the sandbox, the recipient identities too; the ' +
        'ses:FromAddress condition pins the sender to the configured address.',
    );
  }
}
