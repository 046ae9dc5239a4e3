import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WORKFLOW_ENDPOINT_VARIABLE } from './container-recorder.js';
import type { StateMachineDefinition } from './definition.js';
import { handlerModuleName } from './definition.js';
import { containerEnvironment, type EcsTaskStoppedEvent, RecorderTasks } from './recorder-tasks.js';
import { WorkflowRunner } from './runner.js';
import { startSfnServer } from './sfn-server.js';
import type { WorkflowLambda } from './task-overrides.js';
import { TaskError, TaskTokens } from './task-tokens.js';
import type { WorkflowFaults } from './workflow-faults.js';

export type { StateMachineDefinition } from './definition.js';
export { type EcsTaskStoppedEvent, LOCAL_CLUSTER_ARN, RECORDER_MAIN } from './recorder-tasks.js';
export { parseWorkflowFaults, type WorkflowFault, type WorkflowFaults } from './workflow-faults.js';

export interface LocalWorkflowOptions {
  readonly definition: StateMachineDefinition;
  readonly stateMachineArn: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The recorder container's environment in the task definition (under the container overrides). */
  readonly taskDefinitionEnv?: Record<string, string>;
  /** Environment for the recorder processes on top of the container overrides (endpoints, names, SFN). */
  readonly recorderEnv: Record<string, string>;
  /** Recorder command line (tests); defaults to recorder-container/src/main.ts. */
  readonly recorderCommand?: readonly string[];
  /** Task state → module under lambdas/handlers (`workflow/notify-host`); else workflow/<kebab-case name>. */
  readonly lambdaModules?: Record<string, string>;
  /** Loads the Lambda of a Task state (tests); defaults to importing it per `lambdaModules`. */
  readonly loadLambda?: (stateName: string) => Promise<WorkflowLambda>;
  /** SIGKILL this long after StopTask's SIGTERM (the container's stopTimeout). */
  readonly stopTimeoutMs?: number;
  /** Wait state name → milliseconds, instead of the definition's duration. */
  readonly waitOverridesMs?: Record<string, number>;
  /** Task state name → milliseconds before each retry, instead of the definition's backoff. */
  readonly retryIntervalOverridesMs?: Record<string, number | number[]>;
  /** Task states made to fail k times with an AWS error (workflow-faults.ts). */
  readonly faults?: WorkflowFaults;
  /** Where the ECS task state-change events of stopped recorders go (EventBridge's rule, locally). */
  readonly onTaskStopped?: (event: EcsTaskStoppedEvent) => void;
  readonly log?: (line: string) => void;
}

export interface LocalWorkflow {
  /** The Step Functions endpoint: AWS_ENDPOINT_URL_SFN for the start handler and the recorder. */
  readonly endpoint: string;
  readonly runner: WorkflowRunner;
  readonly recorders: RecorderTasks;
  stop(): Promise<void>;
}

export function workflowLambdaImporter(
  lambdaModules: Record<string, string> = {},
): (stateName: string) => Promise<WorkflowLambda> {
  return (stateName) => {
    const module = lambdaModules[stateName] ?? `workflow/${handlerModuleName(stateName)}`;
    const path = `../../lambdas/handlers/${module}.ts`;
    return import(new URL(path, import.meta.url).href).then((loaded: { handler?: unknown }) => {
      if (typeof loaded.handler !== 'function') throw new Error(`${path} exports no handler function`);
      return loaded.handler as WorkflowLambda;
    });
  };
}

/**
 * The recording workflow on this machine: the synthesized definition run by aws-local-stepfunctions,
 * Lambda tasks bound to the handlers, RunRecorder launching the recorder as a child process, and a
 * Step Functions endpoint for StartExecution and the task-token callbacks.
 */
export async function startLocalWorkflow(options: LocalWorkflowOptions): Promise<LocalWorkflow> {
  const tokens = new TaskTokens();
  const dynamodb = new DynamoDBClient({});
  // The tasks report to this runner's own endpoint, known once it listens (before any task starts).
  const recorderEnv: Record<string, string> = { ...options.recorderEnv };
  const recorders = new RecorderTasks({
    env: recorderEnv,
    ...(options.taskDefinitionEnv ? { taskDefinitionEnv: options.taskDefinitionEnv } : {}),
    ...(options.recorderCommand ? { command: options.recorderCommand } : {}),
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
    ...(options.onTaskStopped ? { onTaskStopped: options.onTaskStopped } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const runner = new WorkflowRunner({
    definition: options.definition,
    stateMachineArn: options.stateMachineArn,
    tokens,
    ...(options.log ? { log: options.log } : {}),
    ...(options.waitOverridesMs ? { waitOverridesMs: options.waitOverridesMs } : {}),
    ...(options.retryIntervalOverridesMs
      ? { retryIntervalOverridesMs: options.retryIntervalOverridesMs }
      : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    services: {
      lambda: options.loadLambda ?? workflowLambdaImporter(options.lambdaModules),
      dynamodb,
      runTaskAndWait: async ({ parameters, heartbeatSeconds, executionName }) => {
        const token = containerEnvironment(parameters).TASK_TOKEN;
        if (!token)
          throw new TaskError('States.Runtime', 'RunRecorder passes no TASK_TOKEN to the container');
        const outcome = tokens.wait(token, heartbeatSeconds);
        // The execution may end first (TimeoutSecondsPath, abort): nobody awaits the outcome then, and
        // the token is dead, as in Step Functions.
        outcome.catch(() => {});
        const executionArn = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
        setImmediate(() => void runner.describe(executionArn).done.then(() => tokens.abandon(token)));
        recorders.launch(parameters);
        return outcome;
      },
      stopTask: async (taskArn, reason) => recorders.stop(taskArn, reason),
    },
  });
  const server = await startSfnServer({ port: options.port, runner, tokens });
  recorderEnv[WORKFLOW_ENDPOINT_VARIABLE] = server.endpoint;
  return {
    endpoint: server.endpoint,
    runner,
    recorders,
    stop: async () => {
      await recorders.stopAll();
      tokens.closeAll();
      await runner.stopAll();
      await server.stop();
      dynamodb.destroy();
    },
  };
}
