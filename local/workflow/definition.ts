/** The parts of an Amazon States Language definition the local runner reads. */
export interface StateDefinition {
  readonly Type: string;
  readonly Resource?: string;
  readonly HeartbeatSeconds?: number;
  readonly [field: string]: unknown;
}

export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Record<string, StateDefinition>;
  readonly [field: string]: unknown;
}

export type TaskKind =
  | 'lambda-invoke'
  | 'lambda-function'
  | 'ecs-run-task-callback'
  | 'ecs-stop-task'
  | 'dynamodb-get-item';

/** What a Task state's Resource asks for, or undefined when local mode cannot run it. */
export function taskKind(resource: string): TaskKind | undefined {
  if (/^arn:aws[\w-]*:states:::lambda:invoke$/.test(resource)) return 'lambda-invoke';
  if (/^arn:aws[\w-]*:lambda:[^:]+:\d+:function:/.test(resource)) return 'lambda-function';
  if (/^arn:aws[\w-]*:states:::ecs:runTask\.waitForTaskToken$/.test(resource)) return 'ecs-run-task-callback';
  if (/^arn:aws[\w-]*:states:::aws-sdk:ecs:stopTask$/.test(resource)) return 'ecs-stop-task';
  if (/^arn:aws[\w-]*:states:::(aws-sdk:)?dynamodb:getItem$/.test(resource)) return 'dynamodb-get-item';
  return undefined;
}

/** Every Task state of the top level (the recording workflow has no Parallel or Map states). */
export function taskStates(
  definition: StateMachineDefinition,
): [string, StateDefinition & { Resource: string }][] {
  return Object.entries(definition.States).filter(
    (entry): entry is [string, StateDefinition & { Resource: string }] =>
      entry[1].Type === 'Task' && typeof entry[1].Resource === 'string',
  );
}

/** `SalvageRecording` → `salvage-recording`: the module of a workflow Lambda under lambdas/handlers/workflow. */
export function handlerModuleName(stateName: string): string {
  return stateName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export const LOCAL_TIMEOUT_FIELD = '__localTimeoutSeconds';
export const LOCAL_HEARTBEAT_FIELD = '__localHeartbeatSeconds';

/**
 * aws-local-stepfunctions evaluates `TimeoutSecondsPath` against the state's effective input (after
 * Parameters), where Step Functions uses the state input. So the value is carried through Parameters under
 * a local field, which the task overrides remove again. `HeartbeatSecondsPath` is carried the same way.
 */
export function prepareDefinition(definition: StateMachineDefinition): StateMachineDefinition {
  const States: Record<string, StateDefinition> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    const { TimeoutSecondsPath, HeartbeatSecondsPath, Parameters, ...rest } = state as StateDefinition & {
      TimeoutSecondsPath?: string;
      HeartbeatSecondsPath?: string;
      Parameters?: Record<string, unknown>;
    };
    if (state.Type !== 'Task' || (TimeoutSecondsPath === undefined && HeartbeatSecondsPath === undefined)) {
      States[name] = state;
      continue;
    }
    States[name] = {
      ...rest,
      ...(TimeoutSecondsPath === undefined ? {} : { TimeoutSecondsPath: `$.${LOCAL_TIMEOUT_FIELD}` }),
      Parameters: {
        ...(Parameters ?? {}),
        ...(TimeoutSecondsPath === undefined ? {} : { [`${LOCAL_TIMEOUT_FIELD}.$`]: TimeoutSecondsPath }),
        ...(HeartbeatSecondsPath === undefined
          ? {}
          : { [`${LOCAL_HEARTBEAT_FIELD}.$`]: HeartbeatSecondsPath }),
      },
    };
  }
  return { ...definition, States };
}

/** The effective input without the fields prepareDefinition added, and the heartbeat they carried. */
export function withoutLocalFields(input: unknown): {
  parameters: Record<string, unknown>;
  heartbeatSeconds?: number;
} {
  const {
    [LOCAL_TIMEOUT_FIELD]: _,
    [LOCAL_HEARTBEAT_FIELD]: heartbeat,
    ...parameters
  } = (input ?? {}) as Record<string, unknown>;
  return typeof heartbeat === 'number' ? { parameters, heartbeatSeconds: heartbeat } : { parameters };
}
