import { ArnFormat, Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { TRANSIENT_DEPENDENCY_ERROR } from '../lambdas/workflow/transient-error.js';
import type { RecordingConfig } from './config.js';
import { tableStatement } from './dynamo-access.js';
import { LambdaFunction } from './lambda-function.js';
import { allowLinkIssuing } from './link-issuing.js';
import { acknowledgeWildcard, acknowledgeWildcardResource } from './nag.js';
import type { NotificationsConstruct } from './notifications-construct.js';
import { RECORDER_STOP_TIMEOUT } from './recorder-construct.js';
import { RECORDINGS_PREFIX } from './storage-construct.js';

/** State names: part of the contract (docs/internals.md); local mode overrides tasks by these names. */
export const STATE = {
  isRecovery: 'IsRecovery',
  runRecorder: 'RunRecorder',
  failedByRecorder: 'FailedByRecorder',
  findRecorderTask: 'FindRecorderTask',
  hasRecorderTask: 'HasRecorderTask',
  stopRecorderTask: 'StopRecorderTask',
  waitForRecorderExit: 'WaitForRecorderExit',
  salvageRecording: 'SalvageRecording',
  wasSalvaged: 'WasSalvaged',
  useSalvagedReport: 'UseSalvagedReport',
  finalizeRecording: 'FinalizeRecording',
  notifyHost: 'NotifyHost',
  recordEmailFailure: 'RecordEmailFailure',
  isReminderDue: 'IsReminderDue',
  waitForReminder: 'WaitForReminder',
  remindHost: 'RemindHost',
  reminderFailed: 'ReminderFailed',
  done: 'Done',
  markErrored: 'MarkErrored',
  recordingErrored: 'RecordingErrored',
  noteLaunchDelay: 'NoteLaunchDelay',
  launchAgain: 'LaunchAgain',
  waitBeforeRelaunch: 'WaitBeforeRelaunch',
  markErroredFailed: 'MarkErroredFailed',
  leftToReconciler: 'LeftToReconciler',
} as const;

/** Errors of ecs:RunTask worth retrying: capacity shortages, throttling and service faults. */
export const RUN_TASK_RETRY_ERRORS = [
  'ECS.AmazonECSException',
  'ECS.ServerException',
  'ECS.ThrottlingException',
  'ECS.LimitExceededException',
];
/** Errors the notify-host step throws for SES failures worth retrying. */
export const EMAIL_RETRY_ERRORS = ['EmailThrottled', 'EmailTransient'];
/** Errors of a Lambda invocation that heal: throttling, the service's own faults, timeouts, and transient dependencies. */
export const LAMBDA_RETRY_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.Unknown',
  TRANSIENT_DEPENDENCY_ERROR,
];
/**
 * Launch failures that heal within minutes: RunTask's `failures[]` (capacity), throttled ENI and security-group
 * lookups, the RunTask errors already retried in place, and a task that stopped before it recorded anything.
 * RunRecorder hands them to the launch loop (NoteLaunchDelay → WaitBeforeRelaunch → RunRecorder).
 */
export const LAUNCH_RETRY_ERRORS = [
  'AmazonECS.Unknown',
  'ECS.InvalidParameterException',
  ...RUN_TASK_RETRY_ERRORS,
  'Recorder.StoppedBeforeRecording',
];
/** Every Lambda step: full-jitter backoff whose waits add up to at most ≈ 20 minutes, ≈ 10 on average. */
export const LAMBDA_RETRY: sfn.RetryProps = {
  errors: LAMBDA_RETRY_ERRORS,
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 11,
  maxDelay: Duration.minutes(3),
  jitterStrategy: sfn.JitterType.FULL,
};
/** SES failures: long enough that a 10-minute SES outage at email time still ends in one email (≈ 23 minutes on average). */
export const EMAIL_RETRY: sfn.RetryProps = {
  errors: EMAIL_RETRY_ERRORS,
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 14,
  maxDelay: Duration.minutes(5),
  jitterStrategy: sfn.JitterType.FULL,
};

export interface WorkflowConstructProps {
  readonly config: RecordingConfig;
  readonly table: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly bucketKey: kms.IKey;
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly subnets: ec2.SubnetSelection;
  readonly assignPublicIp: boolean;
  readonly notifications: NotificationsConstruct;
  /** Base URL of the API, for `/v1/links/{token}` in redirect mode. */
  readonly publicApiUrl: string;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The recording workflow (Standard, JSONPath), one execution per recording:
 * RunRecorder (Fargate, task token) → FinalizeRecording → NotifyHost → (WaitForReminder → RemindHost) → Done,
 * and on any recorder failure
 * or timeout: find the task, stop it, give it its SIGTERM window, salvage what was uploaded, or mark ERRORED.
 */
export class WorkflowConstruct extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly functions: Record<
    | 'salvageRecording'
    | 'finalizeRecording'
    | 'notifyHost'
    | 'recordEmailFailure'
    | 'remindHost'
    | 'markErrored'
    | 'noteLaunchDelay',
    LambdaFunction
  >;

  constructor(scope: Construct, id: string, props: WorkflowConstructProps) {
    super(scope, id);
    const { config, table, bucket } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const step = (name: string, handler: string, description: string, timeout = Duration.seconds(30)) =>
      new LambdaFunction(this, name, {
        handler: `workflow/${handler}`,
        description,
        timeout,
        memorySize: 512,
        logRetention: props.logRetention,
        removalPolicy,
        environment: { TABLE_NAME: table.tableName, BUCKET_NAME: bucket.bucketName },
      });
    this.functions = {
      salvageRecording: step(
        'SalvageRecordingFunction',
        'salvage-recording',
        'Completes the multipart upload of a failed recording from its uploaded parts, as a standard MP4',
        Duration.minutes(5),
      ),
      finalizeRecording: step(
        'FinalizeRecordingFunction',
        'finalize-recording',
        'Verifies the file, writes UPLOADED',
      ),
      notifyHost: step('NotifyHostFunction', 'notify-host', 'Emails the host the download link, once'),
      recordEmailFailure: step(
        'RecordEmailFailureFunction',
        'record-email-failure',
        'Records a failed host email',
      ),
      remindHost: step(
        'RemindHostFunction',
        'remind-host',
        'Reminds the host, once, the day before the emailed link expires',
      ),
      markErrored: step('MarkErroredFunction', 'mark-errored', 'Marks a recording ERRORED'),
      noteLaunchDelay: step(
        'NoteLaunchDelayFunction',
        'note-launch-delay',
        'Notes why the recorder could not be launched yet and how long to wait before the next launch',
      ),
    };
    this.grantSteps(props);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Under this prefix Step Functions needs no log resource policy. The stack id's UUID keeps the name new
      // when a stack of the same name is created again while the retained group of the old one still exists.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-workflow-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`,
      retention: props.logRetention,
      removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition(props)),
      tracingEnabled: true,
      // ERROR, not ALL: ALL logs every state's input and parameters, which hold task tokens and meeting URLs.
      // The error events keep their error name, which the give-up alarms match.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: true },
      comment: 'One execution per recording, named after the recording id',
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'Logs at ERROR: level ALL would log task tokens and meeting URLs. Failures, timeouts and aborts are all error events.',
    });
    acknowledgeWildcard(
      this.stateMachine.role,
      'Resource::*',
      'Step Functions log delivery (logs:CreateLogDelivery etc.) and X-Ray accept no resource-level permissions.',
    );
    acknowledgeWildcardResource(
      this.stateMachine.role,
      `${taskDefinitionFamilyArn(props.taskDefinition)}:*`,
      'Added by CDK for ecs:RunTask: any revision of the recorder task definition family.',
    );
    acknowledgeWildcardResource(
      this.stateMachine.role,
      this.stopTaskResource(props.cluster),
      'ecs:StopTask of whichever recorder task the failed execution started; task ids are only known at run time, ' +
        'and the resource is limited to this cluster.',
    );
    for (const fn of Object.values(this.functions)) {
      acknowledgeWildcardResource(
        this.stateMachine.role,
        `${fn.functionArn}:*`,
        'Added by CDK: invoking any version or alias of this one workflow function.',
      );
    }
  }

  private definition(props: WorkflowConstructProps): sfn.IChainable {
    const fns = this.functions;
    // Every Lambda step gets the whole execution state as its event and returns only its result. Every step
    // is idempotent, so each is retried on what heals; CDK's own default retry is replaced by that.
    const invoke = (id: string, fn: LambdaFunction, resultPath: string | null) =>
      new tasks.LambdaInvoke(this, id, {
        stateName: id,
        lambdaFunction: fn.function,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: resultPath ?? sfn.JsonPath.DISCARD,
      }).addRetry(LAMBDA_RETRY);
    // A step that still fails on what heals after its retries has given no verdict on the recording: it stays
    // live, and the reconciler drives it to UPLOADED (partial) or ERRORED and frees the meeting.
    const leftToReconciler = new sfn.Fail(this, STATE.leftToReconciler, {
      stateName: STATE.leftToReconciler,
      error: 'LeftToReconciler',
      cause: 'A workflow step kept failing on transient errors; the reconciler finishes the recording.',
    });
    const toReconciler = { errors: LAMBDA_RETRY_ERRORS, resultPath: '$.transientFailure' };

    const recordingId = sfn.JsonPath.stringAt('$.recordingId');

    // 6. MarkErrored → Fail (the failure is at $.failure); when even that fails, a Fail of its own with an alarm.
    const markErrored = invoke(STATE.markErrored, fns.markErrored, null)
      .addCatch(
        new sfn.Fail(this, STATE.markErroredFailed, {
          stateName: STATE.markErroredFailed,
          error: 'MarkErroredFailed',
          cause:
            'The recording could not be marked ERRORED; the reconciler finishes it and frees its meeting.',
        }),
        { errors: ['States.ALL'], resultPath: '$.markErroredFailure' },
      )
      .next(
        new sfn.Fail(this, STATE.recordingErrored, {
          stateName: STATE.recordingErrored,
          error: 'RecordingErrored',
          cause: 'Nothing usable was recorded; the recording is ERRORED.',
        }),
      );

    // 5. NotifyHost, retried on SES throttling; a permanent failure is recorded, never dropped.
    const done = new sfn.Succeed(this, STATE.done, { stateName: STATE.done });
    const recordEmailFailure = invoke(STATE.recordEmailFailure, fns.recordEmailFailure, null).next(done);
    const notifyHost = invoke(STATE.notifyHost, fns.notifyHost, '$.notification')
      .addRetry(EMAIL_RETRY)
      .addCatch(recordEmailFailure, { errors: ['States.ALL'], resultPath: '$.emailFailure' });
    // 5b. The execution waits for the reminder (Standard workflows are billed by transition, not by time).
    const remindHost = invoke(STATE.remindHost, fns.remindHost, '$.reminder')
      .addRetry(EMAIL_RETRY)
      .addCatch(
        new sfn.Fail(this, STATE.reminderFailed, {
          stateName: STATE.reminderFailed,
          error: 'ReminderFailed',
          cause: 'The link reminder could not be sent; the recording and its link are unaffected.',
        }),
        { errors: ['States.ALL'], resultPath: '$.reminderFailure' },
      )
      .next(done);
    notifyHost.next(
      new sfn.Choice(this, STATE.isReminderDue, { stateName: STATE.isReminderDue })
        .when(
          sfn.Condition.isPresent('$.notification.remindAt'),
          new sfn.Wait(this, STATE.waitForReminder, {
            stateName: STATE.waitForReminder,
            time: sfn.WaitTime.timestampPath('$.notification.remindAt'),
          }).next(remindHost),
        )
        .otherwise(done),
    );

    // 4. FinalizeRecording: reads recordingId and the RecorderReport at $.recorder.
    const finalize = invoke(STATE.finalizeRecording, fns.finalizeRecording, '$.finalized')
      .addCatch(leftToReconciler, toReconciler)
      .addCatch(markErrored, { errors: ['States.ALL'], resultPath: '$.failure' });
    finalize.next(notifyHost);

    // 3. SalvageRecording: { salvaged, report? } at $.salvage.
    const salvage = invoke(STATE.salvageRecording, fns.salvageRecording, '$.salvage')
      .addCatch(leftToReconciler, toReconciler)
      .addCatch(markErrored, { errors: ['States.ALL'], resultPath: '$.salvageError' });
    salvage.next(
      new sfn.Choice(this, STATE.wasSalvaged, { stateName: STATE.wasSalvaged })
        .when(
          sfn.Condition.booleanEquals('$.salvage.salvaged', true),
          new sfn.Pass(this, STATE.useSalvagedReport, {
            stateName: STATE.useSalvagedReport,
            inputPath: '$.salvage.report',
            resultPath: '$.recorder',
          }).next(finalize),
        )
        .otherwise(markErrored),
    );

    // 2. Stop the task (ECS does not stop callback tasks), then give it its SIGTERM window to finalise itself.
    const waitForExit = new sfn.Wait(this, STATE.waitForRecorderExit, {
      stateName: STATE.waitForRecorderExit,
      time: sfn.WaitTime.duration(RECORDER_STOP_TIMEOUT.plus(Duration.seconds(10))),
    }).next(salvage);
    const stopTask = new tasks.CallAwsService(this, STATE.stopRecorderTask, {
      stateName: STATE.stopRecorderTask,
      service: 'ecs',
      action: 'stopTask',
      parameters: {
        Cluster: props.cluster.clusterArn,
        Task: sfn.JsonPath.stringAt('$.recorderTask.Item.taskArn.S'),
        Reason: 'Recording workflow: the recorder failed, timed out or stopped heartbeating',
      },
      iamResources: [this.stopTaskResource(props.cluster)],
      resultPath: sfn.JsonPath.DISCARD,
    })
      .addCatch(salvage, { errors: ['States.ALL'], resultPath: '$.stopError' })
      .next(waitForExit);
    const findTask = new tasks.DynamoGetItem(this, STATE.findRecorderTask, {
      stateName: STATE.findRecorderTask,
      table: props.table,
      key: {
        pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.format('REC#{}', recordingId)),
        sk: tasks.DynamoAttributeValue.fromString('REC'),
      },
      projectionExpression: [new tasks.DynamoProjectionExpression().withAttribute('taskArn')],
      consistentRead: true,
      resultPath: '$.recorderTask',
    })
      .addCatch(salvage, { errors: ['States.ALL'], resultPath: '$.stopError' })
      .next(
        new sfn.Choice(this, STATE.hasRecorderTask, { stateName: STATE.hasRecorderTask })
          .when(sfn.Condition.isPresent('$.recorderTask.Item.taskArn.S'), stopTask)
          .otherwise(salvage),
      );

    // 1. RunRecorder: Fargate task answering with its task token; the backstop timeout comes with the input.
    const container = props.container;
    const env = (name: string, value: string): tasks.TaskEnvironmentVariable => ({ name, value });
    const runRecorder = new tasks.EcsRunTask(this, STATE.runRecorder, {
      stateName: STATE.runRecorder,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      cluster: props.cluster,
      taskDefinition: props.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget(),
      assignPublicIp: props.assignPublicIp,
      subnets: props.subnets,
      securityGroups: [props.securityGroup],
      containerOverrides: [
        {
          containerDefinition: container,
          environment: [
            env('RECORDING_ID', recordingId),
            env('MEETING_URL', sfn.JsonPath.stringAt('$.meetingUrl')),
            env('OBJECT_KEY', sfn.JsonPath.stringAt('$.objectKey')),
            env(
              'MAX_DURATION_SECONDS',
              sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.maxDurationSeconds')),
            ),
            env('RESOLUTION', sfn.JsonPath.stringAt('$.resolution')),
            env('FORMAT', sfn.JsonPath.stringAt('$.format')),
            env('TASK_TOKEN', sfn.JsonPath.taskToken),
          ],
        },
      ],
      heartbeatTimeout: sfn.Timeout.duration(Duration.seconds(props.config.recorderHeartbeatSeconds)),
      taskTimeout: sfn.Timeout.at('$.timeoutSeconds'),
      resultPath: '$.recorder',
    }).addRetry({
      errors: RUN_TASK_RETRY_ERRORS,
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 5,
      maxDelay: Duration.minutes(1),
      jitterStrategy: sfn.JitterType.FULL,
    });
    // The launch loop: Step Functions' Retry cannot note anything between attempts, so a launch failure goes to
    // NoteLaunchDelay, which writes why on the INVOKED recording and answers the wait, or that the window is spent.
    const noteLaunchDelay = invoke(STATE.noteLaunchDelay, fns.noteLaunchDelay, '$.launchDelay')
      .addCatch(leftToReconciler, toReconciler)
      .addCatch(findTask, { errors: ['States.ALL'], resultPath: '$.failure' })
      .next(
        new sfn.Choice(this, STATE.launchAgain, { stateName: STATE.launchAgain })
          .when(
            sfn.Condition.booleanEquals('$.launchDelay.retry', true),
            new sfn.Wait(this, STATE.waitBeforeRelaunch, {
              stateName: STATE.waitBeforeRelaunch,
              time: sfn.WaitTime.secondsPath('$.launchDelay.waitSeconds'),
            }).next(runRecorder),
          )
          .otherwise(markErrored),
      );
    runRecorder
      .addCatch(noteLaunchDelay, { errors: LAUNCH_RETRY_ERRORS, resultPath: '$.launchFailure' })
      .addCatch(
        // A recorder that reports its own failure has finished with its upload: nothing to stop or wait for.
        new sfn.Choice(this, STATE.failedByRecorder, { stateName: STATE.failedByRecorder })
          .when(sfn.Condition.stringMatches('$.failure.Error', 'Recorder.*'), salvage)
          .otherwise(findTask),
        { errors: ['States.ALL'], resultPath: '$.failure' },
      );

    runRecorder.next(finalize);

    // 0. The reconciler starts a recovery execution (`recover: true`) for a recording whose workflow was
    // lost: it skips the launch and goes the failure path, so every step and retry of it applies.
    return new sfn.Choice(this, STATE.isRecovery, { stateName: STATE.isRecovery })
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.recover'),
          sfn.Condition.booleanEquals('$.recover', true),
        ),
        findTask,
      )
      .otherwise(runRecorder);
  }

  private stopTaskResource(cluster: ecs.ICluster): string {
    return `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task/${cluster.clusterName}/*`;
  }

  private grantSteps(props: WorkflowConstructProps): void {
    const { config, table, bucket, bucketKey, notifications } = props;
    const fns = this.functions;
    const recordings = bucket.arnForObjects(`${RECORDINGS_PREFIX}*`);
    const listUnderRecordings = (actions: string[]) =>
      new iam.PolicyStatement({
        actions,
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RECORDINGS_PREFIX}*`] } },
      });
    const kmsViaS3 = (actions: string[]) =>
      new iam.PolicyStatement({
        actions,
        resources: [bucketKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      });

    // Salvage: find the open upload of objectKey, list its parts, complete it, HEAD the result.
    fns.salvageRecording.allow(
      new iam.PolicyStatement({
        actions: ['s3:ListMultipartUploadParts', 's3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: [recordings],
      }),
    );
    fns.salvageRecording.allow(
      new iam.PolicyStatement({ actions: ['s3:ListBucketMultipartUploads'], resources: [bucket.bucketArn] }),
    );
    fns.salvageRecording.allow(listUnderRecordings(['s3:ListBucket']));
    fns.salvageRecording.allow(kmsViaS3(['kms:Decrypt', 'kms:GenerateDataKey']));
    fns.salvageRecording.allow(tableStatement(table, ['GetItem']));
    fns.salvageRecording.acknowledgeWildcardResource(
      recordings,
      'Salvages the upload of whichever recording failed.',
    );

    // Finalize: HEAD the object (ListBucket under the prefix makes a missing object a 404, not a 403).
    fns.finalizeRecording.allow(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [recordings] }),
    );
    fns.finalizeRecording.allow(listUnderRecordings(['s3:ListBucket']));
    fns.finalizeRecording.allow(tableStatement(table, ['GetItem', 'UpdateItem', 'DeleteItem']));
    fns.finalizeRecording.acknowledgeWildcardResource(
      recordings,
      'Verifies whichever recording just finished.',
    );

    // Notify and remind: issue a link (in redirect mode a token item), read and update the recording, send
    // through SES; notify also says when the reminder is due.
    for (const fn of [fns.notifyHost, fns.remindHost]) {
      allowLinkIssuing(fn, {
        config,
        publicApiUrl: props.publicApiUrl,
        signingSecret: notifications.signingSecret,
      });
      fn.addEnvironment('SENDER_EMAIL', config.senderEmail);
      fn.addEnvironment('SES_CONFIGURATION_SET', notifications.configurationSet.configurationSetName);
      fn.allow(tableStatement(table, ['GetItem', 'PutItem', 'UpdateItem']));
      notifications.allowSendEmail(fn);
    }
    fns.notifyHost.addEnvironment('LINK_REMINDER_SECONDS', String(config.linkReminderHours * 3600));

    fns.recordEmailFailure.allow(tableStatement(table, ['GetItem', 'UpdateItem']));
    // Leaving a live state deletes the meeting lock in the same transaction.
    fns.markErrored.allow(tableStatement(table, ['GetItem', 'UpdateItem', 'DeleteItem']));
    fns.noteLaunchDelay.addEnvironment(
      'LAUNCH_RETRY_WINDOW_SECONDS',
      String(config.launchRetryWindowSeconds),
    );
    fns.noteLaunchDelay.allow(tableStatement(table, ['GetItem', 'UpdateItem']));
  }
}

/** The task definition's ARN without its revision, as CDK's EcsRunTask grants it. */
function taskDefinitionFamilyArn(taskDefinition: ecs.TaskDefinition): string {
  const stack = Stack.of(taskDefinition);
  const parts = stack.splitArn(taskDefinition.taskDefinitionArn, ArnFormat.SLASH_RESOURCE_NAME);
  return stack.formatArn({
    partition: parts.partition,
    service: parts.service,
    account: parts.account,
    region: parts.region,
    resource: parts.resource,
    arnFormat: parts.arnFormat,
    resourceName: parts.resourceName?.split(':')[0],
  });
}
