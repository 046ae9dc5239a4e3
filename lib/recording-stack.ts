import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ApiConstruct } from './api-construct.js';
import { ArchivesConstruct } from './archives-construct.js';
import { configWarnings, type RecordingConfig } from './config.js';
import { ExpiryConstruct } from './expiry-construct.js';
import { type LambdaFunction, REPO_ROOT } from './lambda-function.js';
import { MonitoringConstruct } from './monitoring-construct.js';
import { NotificationsConstruct } from './notifications-construct.js';
import { RecorderConstruct } from './recorder-construct.js';
import { RecoveryConstruct } from './recovery-construct.js';
import { StorageConstruct } from './storage-construct.js';
import { WebhooksConstruct } from './webhooks-construct.js';
import { WorkflowConstruct } from './workflow-construct.js';

export interface RecordingStackProps extends StackProps {
  readonly config: RecordingConfig;
  /** @default - the image built from recorder-container/Dockerfile (tests may pass a prebuilt one) */
  readonly recorderImage?: ecs.ContainerImage;
}

/** The whole service: storage, recorder, workflow, API, email and links, webhooks, alarms. */
export class RecordingStack extends Stack {
  readonly storage: StorageConstruct;
  readonly notifications: NotificationsConstruct;
  readonly recorder: RecorderConstruct;
  readonly api: ApiConstruct;
  readonly workflow: WorkflowConstruct;
  readonly recovery: RecoveryConstruct;
  readonly webhooks?: WebhooksConstruct;
  readonly expiry: ExpiryConstruct;
  readonly archives: ArchivesConstruct;
  readonly monitoring: MonitoringConstruct;

  constructor(scope: Construct, id: string, props: RecordingStackProps) {
    super(scope, id, props);
    const { config } = props;
    for (const warning of configWarnings(config)) {
      Annotations.of(this).addWarningV2(`recording:config:${warning.key}`, warning.message);
    }

    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const appVersion = readAppVersion();

    this.storage = new StorageConstruct(this, 'Storage', { config });
    const { bucket, bucketKey, table } = this.storage;
    this.notifications = new NotificationsConstruct(this, 'Notifications', { config, bucket, bucketKey });
    this.recorder = new RecorderConstruct(this, 'Recorder', {
      config,
      bucket,
      bucketKey,
      table,
      logRetention,
      ...(props.recorderImage ? { image: props.recorderImage } : {}),
    });
    this.api = new ApiConstruct(this, 'Api', { config, table, logRetention, appVersion });
    this.workflow = new WorkflowConstruct(this, 'Workflow', {
      config,
      table,
      bucket,
      bucketKey,
      cluster: this.recorder.cluster,
      taskDefinition: this.recorder.taskDefinition,
      container: this.recorder.container,
      securityGroup: this.recorder.securityGroup,
      subnets: this.recorder.subnets,
      assignPublicIp: this.recorder.assignPublicIp,
      notifications: this.notifications,
      publicApiUrl: this.api.url,
      logRetention,
    });
    this.recorder.allowTaskResponses(this.workflow.stateMachine);
    this.recovery = new RecoveryConstruct(this, 'Recovery', {
      config,
      table,
      stateMachine: this.workflow.stateMachine,
      cluster: this.recorder.cluster,
      logRetention,
    });
    this.api.addRoutes({
      bucket,
      bucketKey,
      stateMachine: this.workflow.stateMachine,
      cursorSecret: this.notifications.cursorSecret,
      ...(this.notifications.signingSecret ? { signingSecret: this.notifications.signingSecret } : {}),
    });
    if (config.webhooksEnabled) {
      this.webhooks = new WebhooksConstruct(this, 'Webhooks', { config, table, logRetention });
    }

    this.expiry = new ExpiryConstruct(this, 'Expiry', { config, bucket, table, logRetention });
    this.archives = new ArchivesConstruct(this, 'Archives', {
      config,
      table,
      bucket,
      bucketKey,
      logRetention,
    });

    const functions: LambdaFunction[] = [
      this.api.authorizerFunction,
      ...this.api.routeFunctions.values(),
      ...Object.values(this.workflow.functions),
      this.recovery.taskStoppedFunction,
      this.recovery.reconcileFunction,
      ...(this.webhooks ? [this.webhooks.streamFunction, this.webhooks.deliverFunction] : []),
      this.expiry.function,
      this.archives.buildFunction,
    ];
    this.monitoring = new MonitoringConstruct(this, 'Monitoring', {
      config,
      stateMachine: this.workflow.stateMachine,
      workflowLogGroup: this.workflow.logGroup,
      markErrored: this.workflow.functions.markErrored,
      recordEmailFailure: this.workflow.functions.recordEmailFailure,
      functions,
      deadLetterQueues: [
        ...(this.webhooks ? [this.webhooks.deadLetterQueue, this.webhooks.streamFailureQueue] : []),
        this.expiry.deadLetterQueue,
        this.archives.failureQueue,
      ],
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('ApiUrl', this.api.url, 'Base URL of the recordings API (append v1/...)');
    output('TableName', table.tableName, 'DynamoDB table (for `npm run api-key`)');
    output('BucketName', bucket.bucketName, 'Recordings bucket');
    output('StateMachineArn', this.workflow.stateMachine.stateMachineArn, 'Recording workflow');
    output('AlarmTopicArn', this.monitoring.topic.topicArn, 'SNS topic of every alarm');
    output(
      'SesConfigurationSet',
      this.notifications.configurationSet.configurationSetName,
      'SES configuration set',
    );
    if (config.sesIdentityDomain) {
      this.notifications.emailIdentity.dkimRecords.forEach((record, index) => {
        output(
          `SesDkimRecord${index + 1}`,
          `${record.name} CNAME ${record.value}`,
          'DNS record that verifies the SES domain',
        );
      });
    }
    if (this.notifications.signingSecret) {
      output(
        'SigningSecretArn',
        this.notifications.signingSecret.secretArn,
        'Key of the link-signing identity',
      );
    }
  }
}

function readAppVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
