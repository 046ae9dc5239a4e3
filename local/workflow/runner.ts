import { StateMachine } from 'aws-local-stepfunctions';
import { prepareDefinition, type StateMachineDefinition } from './definition.js';
import { type TaskServices, taskOverrides, taskStateKinds } from './task-overrides.js';
import type { TaskTokens } from './task-tokens.js';
import { checkWorkflowFaults, FaultPlan, type WorkflowFaults } from './workflow-faults.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** Settles when the execution ends. */
  readonly done: Promise<void>;
  /** The faults this execution was given, and how many it met so far. */
  readonly faults?: FaultPlan;
}

export class WorkflowError extends Error {
  constructor(
    readonly code:
      | 'ExecutionAlreadyExists'
      | 'ExecutionDoesNotExist'
      | 'InvalidExecutionInput'
      | 'StateMachineDoesNotExist',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface WorkflowRunnerOptions {
  readonly definition: StateMachineDefinition;
  readonly stateMachineArn: string;
  readonly services: TaskServices;
  readonly tokens: TaskTokens;
  readonly log?: (line: string) => void;
  /** Wait state name → milliseconds. */
  readonly waitOverridesMs?: Record<string, number>;
  /** Task state name → the pause before each retry in milliseconds (one number, or one per retrier), without jitter. */
  readonly retryIntervalOverridesMs?: Record<string, number | number[]>;
  /** Task states made to fail k times (workflow-faults.ts), for every execution or chosen per execution. */
  readonly faults?: WorkflowFaults;
}

/**
 * Runs executions of one state machine with aws-local-stepfunctions, every Task state bound locally
 * (task-overrides.ts). The task token of an execution is in its context object (`$$.Task.Token`).
 */
export class WorkflowRunner {
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, Execution>();
  private readonly aborts = new Map<string, () => void>();

  private readonly definition: StateMachineDefinition;

  constructor(private readonly options: WorkflowRunnerOptions) {
    this.definition = prepareDefinition(options.definition);
    this.machine = new StateMachine(this.definition as never, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    // Fail now, not at the first execution, when a state cannot run locally or a fault names no Task state.
    taskOverrides(this.definition, options.services, 'validation');
    if (Array.isArray(options.faults)) checkWorkflowFaults(options.faults, taskStateKinds(this.definition));
  }

  private faultPlan(name: string, input: unknown): FaultPlan | undefined {
    const { faults } = this.options;
    if (!faults) return undefined;
    const chosen = typeof faults === 'function' ? faults({ name, input }) : faults;
    if (chosen.length === 0) return undefined;
    checkWorkflowFaults(chosen, taskStateKinds(this.definition));
    return new FaultPlan(chosen);
  }

  start(stateMachineArn: string, name: string | undefined, input: string | undefined): Execution {
    if (stateMachineArn !== this.options.stateMachineArn) {
      throw new WorkflowError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    const executionName = name ?? crypto.randomUUID();
    const executionArn = `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === (input ?? '{}')) return existing;
      throw new WorkflowError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(input ?? '{}');
    } catch {
      throw new WorkflowError('InvalidExecutionInput', 'Invalid State Machine Execution Input');
    }
    const startDate = new Date();
    const faults = this.faultPlan(executionName, parsed);
    const run = this.machine.run(parsed as never, {
      overrides: {
        taskResourceLocalHandlers: taskOverrides(
          this.options.definition,
          this.options.services,
          executionName,
          faults,
        ) as never,
        ...(this.options.waitOverridesMs ? { waitTimeOverrides: this.options.waitOverridesMs } : {}),
        ...(this.options.retryIntervalOverridesMs
          ? { retryIntervalOverrides: this.options.retryIntervalOverridesMs }
          : {}),
      },
      context: {
        Execution: { Id: executionArn, Name: executionName, StartTime: startDate.toISOString() },
        StateMachine: {
          Id: this.options.stateMachineArn,
          Name: this.options.stateMachineArn.split(':').at(-1),
        },
        Task: { Token: this.options.tokens.newToken() },
      },
    });
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name: executionName,
      input: input ?? '{}',
      startDate,
      status: 'RUNNING',
      ...(faults ? { faults } : {}),
      done: run.result.then(
        (output: unknown) => {
          this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
        },
        (error: unknown) => {
          const { name, message } =
            error instanceof Error ? error : { name: 'Error', message: String(error) };
          const status =
            name === 'ExecutionAbortedError'
              ? 'ABORTED'
              : name === 'ExecutionTimeoutError'
                ? 'TIMED_OUT'
                : 'FAILED';
          const failure = unwrapFailure(error);
          this.finish(execution, status, failure ?? { error: name, cause: message });
        },
      ),
    };
    this.executions.set(executionArn, execution);
    this.aborts.set(executionArn, run.abort);
    this.options.log?.(`workflow ${executionName}: started`);
    return execution;
  }

  describe(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution)
      throw new WorkflowError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  stop(executionArn: string): Execution {
    const execution = this.describe(executionArn);
    if (execution.status === 'RUNNING') this.aborts.get(executionArn)?.();
    return execution;
  }

  /** Aborts every running execution and waits for them to settle. */
  async stopAll(): Promise<void> {
    for (const abort of this.aborts.values()) abort();
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  private finish(
    execution: Execution,
    status: ExecutionStatus,
    result: { output?: string; error?: string; cause?: string },
  ): void {
    execution.status = status;
    execution.stopDate = new Date();
    Object.assign(execution, result);
    this.aborts.delete(execution.executionArn);
    this.options.log?.(
      `workflow ${execution.name}: ${status}${result.error ? ` (${result.error}: ${result.cause ?? ''})` : ''}`,
    );
  }
}

/** The error and cause that failed the execution (a Fail state's, or an uncaught task error's). */
function unwrapFailure(error: unknown): { error: string; cause: string } | undefined {
  if (!(error instanceof Error) || error.name !== 'ExecutionError' || !(error.cause instanceof Error))
    return undefined;
  return { error: error.cause.name, cause: error.cause.message };
}
