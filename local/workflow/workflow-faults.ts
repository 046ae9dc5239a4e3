import { AsyncLocalStorage } from 'node:async_hooks';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { TaskError } from './task-tokens.js';

/** The AWS clients of lambdas/clients.ts a dependency fault can make fail. */
export const FAULT_SERVICES = ['dynamodb', 's3', 'ses'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

/**
 * A Task state made to fail `times` times. Without `service`, the state itself fails with `error` before
 * anything runs (what Step Functions reports: `Lambda.TooManyRequestsException`, `AmazonECS.Unknown`, …).
 * With it, the real handler runs and its first call to that service throws the service's `error`
 * (`ProvisionedThroughputExceededException`, `SlowDown`, …), as if the SDK's own retries had run out.
 */
export interface WorkflowFault {
  readonly state: string;
  readonly error: string;
  readonly service?: FaultService;
  readonly times: number;
}

/** Faults for every execution, or chosen per execution (tests run different cases side by side). */
export type WorkflowFaults =
  | readonly WorkflowFault[]
  | ((execution: { name: string; input: unknown }) => readonly WorkflowFault[]);

const FAULT = /^(\w+)=(?:(dynamodb|s3|ses):)?([\w.]+)(?:\*(\d+))?$/;

/** `FinalizeRecording=Lambda.TooManyRequestsException*2,RunRecorder=AmazonECS.Unknown*3,NotifyHost=dynamodb:ProvisionedThroughputExceededException` */
export function parseWorkflowFaults(text: string | undefined): WorkflowFault[] {
  if (!text?.trim()) return [];
  return text.split(',').map((part) => {
    const match = FAULT.exec(part.trim());
    if (!match?.[1] || !match[3]) {
      throw new Error(
        `LOCAL_WORKFLOW_FAULTS: "${part}" is not <State>=[dynamodb:|s3:|ses:]<ErrorName>[*<times>]`,
      );
    }
    const times = match[4] === undefined ? 1 : Number(match[4]);
    return {
      state: match[1],
      error: match[3],
      times,
      ...(match[2] ? { service: match[2] as FaultService } : {}),
    };
  });
}

/** Refuses faults naming a state that is not a Task, or a dependency fault on a state that runs no Lambda. */
export function checkWorkflowFaults(
  faults: readonly WorkflowFault[],
  taskStates: ReadonlyMap<string, 'lambda' | 'other'>,
): void {
  for (const fault of faults) {
    const kind = taskStates.get(fault.state);
    if (!kind) throw new Error(`workflow fault: no Task state ${fault.state}`);
    if (fault.service && kind !== 'lambda') {
      throw new Error(`workflow fault: ${fault.state} runs no Lambda, so it makes no ${fault.service} calls`);
    }
  }
}

type Injection = { service: FaultService; error: string } | { error: string };

/** Each state's next failures, one per invocation, in the order given; one instance per execution. */
export class FaultPlan {
  private readonly queues = new Map<string, Injection[]>();
  private readonly counts = new Map<string, number>();
  /** Failures injected so far, by state. */
  get injected(): ReadonlyMap<string, number> {
    return this.counts;
  }

  constructor(faults: readonly WorkflowFault[]) {
    for (const fault of faults) {
      const queue = this.queues.get(fault.state) ?? [];
      for (let i = 0; i < fault.times; i++) {
        queue.push(fault.service ? { service: fault.service, error: fault.error } : { error: fault.error });
      }
      this.queues.set(fault.state, queue);
    }
  }

  /** The failure of this invocation of `state`, if one is due. */
  next(state: string): Injection | undefined {
    const injection = this.queues.get(state)?.shift();
    if (injection) this.counts.set(state, (this.counts.get(state) ?? 0) + 1);
    return injection;
  }

  /** Throws the state's own failure, or runs `task` with the dependency fault armed for its calls. */
  async run<T>(state: string, task: () => Promise<T>): Promise<T> {
    const injection = this.next(state);
    if (!injection) return task();
    const cause = `Injected by local mode (${state} fault ${this.counts.get(state)})`;
    if (!('service' in injection)) throw new TaskError(injection.error, cause);
    await installDependencyFaults();
    return armed.run({ ...injection, remaining: 1 }, task);
  }
}

/** The part of an SDK client's middleware stack used here. */
interface MiddlewareAdder {
  add(
    middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string; priority: 'high' },
  ): void;
}

const armed = new AsyncLocalStorage<{ service: FaultService; error: string; remaining: number }>();
let installed: Promise<void> | undefined;

/**
 * Adds a middleware to the handlers' own clients (lambdas/clients.ts), ahead of the SDK's retries, that
 * throws the armed error in the async context of one faulty invocation only: other executions running
 * at the same time meet no fault. Imported late, so that the clients see local mode's environment.
 */
function installDependencyFaults(): Promise<void> {
  installed ??= import('../../lambdas/clients.js').then((clients) => {
    const stacks: Record<FaultService, MiddlewareAdder> = {
      dynamodb: clients.documents.middlewareStack as unknown as MiddlewareAdder,
      s3: clients.s3.middlewareStack as unknown as MiddlewareAdder,
      ses: clients.ses.middlewareStack as unknown as MiddlewareAdder,
    };
    for (const service of FAULT_SERVICES) {
      stacks[service].add(
        (next) => async (args: unknown) => {
          const fault = armed.getStore();
          if (fault?.service === service && fault.remaining > 0) {
            fault.remaining -= 1;
            throw serviceError(service, fault.error);
          }
          return next(args);
        },
        { step: 'initialize', name: `localWorkflowFault-${service}`, priority: 'high' },
      );
    }
  });
  return installed;
}

const STATUS: Record<string, number> = {
  SlowDown: 503,
  ServiceUnavailable: 503,
  InternalError: 500,
  InternalFailure: 500,
  InternalServerError: 500,
  TooManyRequestsException: 429,
};

/** The error as the SDK throws it for that service's answer. */
function serviceError(service: FaultService, name: string): Error {
  const message = `${name} (injected by local mode)`;
  const $metadata = { httpStatusCode: STATUS[name] ?? 400, attempts: 1, totalRetryDelay: 0 };
  if (service === 'dynamodb' && name === 'ProvisionedThroughputExceededException') {
    return new ProvisionedThroughputExceededException({ message, $metadata });
  }
  const $fault = $metadata.httpStatusCode >= 500 ? 'server' : 'client';
  return Object.assign(new Error(message), { name, $fault, $metadata });
}
