import { type DynamoDBClient, GetItemCommand, type GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../api/lambda-context.js';
import { type StateMachineDefinition, taskKind, taskStates, withoutLocalFields } from './definition.js';
import { TaskError } from './task-tokens.js';
import type { FaultPlan } from './workflow-faults.js';

export type WorkflowLambda = (event: never, context: Context) => Promise<unknown>;

export interface RunTaskRequest {
  /** The RunTask parameters, `Overrides.ContainerOverrides[].Environment` holding the recorder's environment. */
  readonly parameters: Record<string, unknown>;
  readonly executionName: string;
  readonly heartbeatSeconds: number | undefined;
}

/** What the Task states of the recording workflow are bound to locally. */
export interface TaskServices {
  /** The handler of a Lambda task, by state name. */
  lambda(stateName: string): Promise<WorkflowLambda>;
  /** Starts the task and resolves with what it reports through its task token. */
  runTaskAndWait(request: RunTaskRequest): Promise<unknown>;
  stopTask(taskArn: string, reason: string | undefined): Promise<void>;
  dynamodb: DynamoDBClient;
}

type Override = (input: unknown) => Promise<unknown>;

const LAMBDA_TIMEOUT_MS = 15 * 60 * 1000;

/** Which Task states run a Lambda (the only ones whose dependencies a fault can reach). */
export function taskStateKinds(definition: StateMachineDefinition): Map<string, 'lambda' | 'other'> {
  return new Map(
    taskStates(definition).map(([name, state]) => {
      const kind = taskKind(state.Resource);
      return [name, kind === 'lambda-invoke' || kind === 'lambda-function' ? 'lambda' : 'other'];
    }),
  );
}

/**
 * Local implementations of every Task state, by state name, for `taskResourceLocalHandlers`. With a fault
 * plan, each invocation first asks it whether to fail instead (workflow-faults.ts).
 */
export function taskOverrides(
  definition: StateMachineDefinition,
  services: TaskServices,
  executionName: string,
  faults?: FaultPlan,
): Record<string, Override> {
  const overrides: Record<string, Override> = {};
  for (const [stateName, state] of taskStates(definition)) {
    const kind = taskKind(state.Resource);
    const parametersOf = (input: unknown) => withoutLocalFields(input).parameters;
    const invoke = async (payload: unknown) => {
      const handler = await services.lambda(stateName);
      try {
        return await handler(payload as never, lambdaContext(`local-${stateName}`, LAMBDA_TIMEOUT_MS));
      } catch (error) {
        // What Step Functions reports for a function error: the error type, and the Lambda error document.
        const errorType = error instanceof Error ? error.name : 'Error';
        const errorMessage = error instanceof Error ? error.message : String(error);
        throw new TaskError(errorType, JSON.stringify({ errorType, errorMessage }));
      }
    };
    switch (kind) {
      case 'lambda-invoke':
        overrides[stateName] = async (input) => ({
          ExecutedVersion: '$LATEST',
          Payload: (await invoke(parametersOf(input).Payload ?? {})) ?? null,
          StatusCode: 200,
        });
        break;
      case 'lambda-function':
        overrides[stateName] = (input) =>
          invoke(state.Parameters === undefined ? input : parametersOf(input));
        break;
      case 'ecs-run-task-callback':
        overrides[stateName] = (input) => {
          const { parameters, heartbeatSeconds } = withoutLocalFields(input);
          return services.runTaskAndWait({
            parameters,
            executionName,
            heartbeatSeconds: heartbeatSeconds ?? state.HeartbeatSeconds,
          });
        };
        break;
      case 'ecs-stop-task':
        overrides[stateName] = async (input) => {
          const { Task, Reason } = parametersOf(input);
          if (typeof Task !== 'string')
            throw new TaskError('Ecs.InvalidParameterException', 'Task is required');
          await services.stopTask(Task, typeof Reason === 'string' ? Reason : undefined);
          return { Task: { TaskArn: Task, DesiredStatus: 'STOPPED' } };
        };
        break;
      case 'dynamodb-get-item':
        overrides[stateName] = async (input) => {
          try {
            const { $metadata: _, ...output } = await services.dynamodb.send(
              new GetItemCommand(parametersOf(input) as unknown as GetItemCommandInput),
            );
            return output;
          } catch (error) {
            const { name, message } = error as Error;
            throw new TaskError(`DynamoDB.${name}`, message);
          }
        };
        break;
      default:
        throw new Error(`state ${stateName}: local mode cannot run resource ${state.Resource}`);
    }
    const run = overrides[stateName];
    if (faults && run) overrides[stateName] = (input) => faults.run(stateName, () => run(input));
  }
  return overrides;
}
