import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RecordingConfig } from './config.js';
import { type LambdaFunction, METRICS_NAMESPACE } from './lambda-function.js';

export interface MonitoringConstructProps {
  readonly config: RecordingConfig;
  readonly stateMachine: sfn.IStateMachine;
  /** The workflow's execution log (level ERROR): where a give-up of the workflow shows by its error name. */
  readonly workflowLogGroup: logs.ILogGroup;
  /** Invoked once per recording that ends ERRORED. */
  readonly markErrored: LambdaFunction;
  /** Invoked once per host email that failed for good. */
  readonly recordEmailFailure: LambdaFunction;
  readonly functions: readonly LambdaFunction[];
  readonly deadLetterQueues: readonly sqs.IQueue[];
}

/** Alarms on everything that needs a human, all to one encrypted SNS topic (and optionally an email). */
export class MonitoringConstruct extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringConstructProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to the encrypted topic.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Alarms', {
      masterKey: key,
      enforceSSL: true,
      displayName: 'Recording alarms',
    });
    if (props.config.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.config.alarmEmail));
    }
    const action = new actions.SnsAction(this.topic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };
    const period = Duration.minutes(5);

    alarm(
      'FailedExecutions',
      new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
          aborted: props.stateMachine.metricAborted({ period, statistic: 'Sum' }),
        },
        period,
      }),
      'Recording workflow executions failed, timed out or were aborted (every ERRORED recording also ends as a failed execution).',
    );
    alarm(
      'ErroredRecordings',
      props.markErrored.function.metricInvocations({ period, statistic: 'Sum' }),
      'Recordings ended ERRORED: nothing usable was recorded.',
    );
    alarm(
      'EmailFailures',
      props.recordEmailFailure.function.metricInvocations({ period, statistic: 'Sum' }),
      'A host email failed for good after its retries; the failure is recorded on the recording.',
    );
    // Executions that ended leaving a live recording behind: the reconciler finishes it, a human should know why.
    const gaveUp = (error: string) =>
      new logs.MetricFilter(this, `${error}Filter`, {
        logGroup: props.workflowLogGroup,
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue('$.type', '=', 'ExecutionFailed'),
          logs.FilterPattern.stringValue('$.details.error', '=', error),
        ),
        metricNamespace: METRICS_NAMESPACE,
        metricName: `Workflow${error}`,
        metricValue: '1',
      }).metric({ period, statistic: 'Sum' });
    alarm(
      'MarkErroredFailed',
      gaveUp('MarkErroredFailed'),
      'A recording could not even be marked ERRORED after every retry; it stays live until the reconciler ends it and frees its meeting.',
    );
    alarm(
      'LeftToReconciler',
      gaveUp('LeftToReconciler'),
      'A workflow step kept failing on transient errors (throttling, service faults) past its retries; the reconciler finishes the recording.',
    );
    props.deadLetterQueues.forEach((queue, index) => {
      alarm(
        `DeadLetters${index}`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        `Messages are waiting in the dead-letter queue ${queue.node.id}.`,
      );
    });
    for (const fn of props.functions) {
      alarm(
        `Errors-${fn.handlerName.replace(/\//g, '-')}`,
        fn.function.metricErrors({ period, statistic: 'Sum' }),
        `Lambda ${fn.handlerName} threw errors.`,
      );
    }
  }
}
