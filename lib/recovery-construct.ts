import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RecordingConfig } from './config.js';
import { tableStatement } from './dynamo-access.js';
import { LambdaFunction } from './lambda-function.js';

export interface RecoveryConstructProps {
  readonly config: RecordingConfig;
  readonly table: dynamodb.ITable;
  readonly stateMachine: sfn.StateMachine;
  /** The recorder's cluster: only its tasks' stop events matter. */
  readonly cluster: ecs.ICluster;
  readonly logRetention: logs.RetentionDays;
}

/**
 * What drives recordings whose workflow lost track of them: `recorder-task-stopped` fails the task token of a
 * recorder task that stopped before it reported (from ECS's task state-change events, within seconds), and
 * `reconcile-recordings`, every `reconcileIntervalMinutes`, recovers every live recording whose execution is
 * gone or overdue and frees locks that outlived their recording.
 */
export class RecoveryConstruct extends Construct {
  readonly taskStoppedFunction: LambdaFunction;
  readonly reconcileFunction: LambdaFunction;

  constructor(scope: Construct, id: string, props: RecoveryConstructProps) {
    super(scope, id);
    const { config, table, stateMachine } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const fn = (fnId: string, handler: string, description: string, timeout: Duration) =>
      new LambdaFunction(this, fnId, {
        handler,
        description,
        timeout,
        memorySize: 256,
        logRetention: props.logRetention,
        removalPolicy,
        environment: { TABLE_NAME: table.tableName },
      });

    this.taskStoppedFunction = fn(
      'TaskStoppedFunction',
      'recorder-task-stopped',
      'Fails the workflow task of a recorder task that stopped before it reported',
      Duration.seconds(30),
    );
    this.taskStoppedFunction.allow(tableStatement(table, ['GetItem'], { leadingKeys: ['REC#*'] }));
    this.taskStoppedFunction.allow(
      new iam.PolicyStatement({
        actions: ['states:SendTaskFailure'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    new events.Rule(this, 'RecorderTaskStopped', {
      description: 'A recorder task stopped: tell its workflow at once if it never reported',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { lastStatus: ['STOPPED'], clusterArn: [props.cluster.clusterArn] },
      },
      targets: [
        new targets.LambdaFunction(this.taskStoppedFunction.function, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });

    this.reconcileFunction = fn(
      'ReconcileFunction',
      'reconcile-recordings',
      'Drives live recordings whose workflow is gone or overdue to UPLOADED (partial) or ERRORED',
      Duration.minutes(5),
    );
    this.reconcileFunction.addEnvironment('STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    this.reconcileFunction.allow(
      tableStatement(table, ['Query'], { indexes: ['byLive'], leadingKeys: ['LIVE'] }),
    );
    // Reads recordings; marking one ERRORED deletes its lock in the same transaction; frees orphan locks.
    this.reconcileFunction.allow(
      tableStatement(table, ['GetItem', 'UpdateItem', 'DeleteItem'], { leadingKeys: ['REC#*', 'LOCK#*'] }),
    );
    this.reconcileFunction.allow(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.reconcileFunction.allow(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [executions],
      }),
    );
    this.reconcileFunction.acknowledgeWildcardResource(
      executions,
      'Describes and stops the executions of this one state machine; their names (recording ids) are only known at run time.',
    );
    new events.Rule(this, 'ReconcileSchedule', {
      description: 'Runs the reconciler of live recordings',
      schedule: events.Schedule.rate(Duration.minutes(config.reconcileIntervalMinutes)),
      // A failed run is not retried: the next one comes within the interval.
      targets: [new targets.LambdaFunction(this.reconcileFunction.function, { retryAttempts: 0 })],
    });
  }
}
