import { randomBytes } from 'node:crypto';

/** An error as a Task state's Catch/Retry sees it: `name` is the error code, `message` the cause. */
export class TaskError extends Error {
  constructor(code: string, cause: string) {
    super(cause);
    this.name = code;
  }
}

/** The Step Functions API errors of SendTask*, by their service names. */
export class TaskTokenError extends Error {
  constructor(
    readonly code: 'TaskDoesNotExist' | 'TaskTimedOut' | 'InvalidOutput',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

interface Waiter {
  resolve(output: unknown): void;
  reject(error: Error): void;
  heartbeatMs: number | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;
}

/**
 * The callback half of `.waitForTaskToken`: a task waits on its token until SendTaskSuccess/Failure, or
 * fails with `States.HeartbeatTimeout` when no heartbeat (or result) arrives within HeartbeatSeconds.
 */
export class TaskTokens {
  private readonly waiting = new Map<string, Waiter>();
  private readonly closed = new Map<string, 'done' | 'timed-out'>();

  newToken(): string {
    return randomBytes(48).toString('base64url');
  }

  /** Waits for the outcome reported on `token`; `heartbeatSeconds` as in the Task state. */
  wait(token: string, heartbeatSeconds?: number): Promise<unknown> {
    if (this.waiting.has(token)) throw new Error('a task is already waiting on this token');
    this.closed.delete(token);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        heartbeatMs: heartbeatSeconds === undefined ? undefined : heartbeatSeconds * 1000,
        heartbeatTimer: undefined,
      };
      this.waiting.set(token, waiter);
      this.armHeartbeat(token, waiter);
    });
  }

  succeed(token: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new TaskTokenError('InvalidOutput', 'The output is not valid JSON.');
    }
    this.settle(token, 'done').resolve(parsed);
  }

  fail(token: string, error: string | undefined, cause: string | undefined): void {
    this.settle(token, 'done').reject(new TaskError(error ?? '', cause ?? ''));
  }

  heartbeat(token: string): void {
    const waiter = this.open(token);
    this.armHeartbeat(token, waiter);
  }

  /** Ends the wait on `token`, if any, as when its execution ended (stopped, timed out) with the task open. */
  abandon(token: string): void {
    if (!this.waiting.has(token)) return;
    this.settle(token, 'timed-out').reject(new TaskError('States.Runtime', 'the execution ended'));
  }

  /** Ends every wait (the runner is stopping); waiting tasks fail with `States.Runtime`. */
  closeAll(): void {
    for (const token of [...this.waiting.keys()]) {
      this.settle(token, 'done').reject(new TaskError('States.Runtime', 'local workflow runner stopped'));
    }
  }

  private armHeartbeat(token: string, waiter: Waiter): void {
    clearTimeout(waiter.heartbeatTimer);
    if (waiter.heartbeatMs === undefined) return;
    waiter.heartbeatTimer = setTimeout(() => {
      this.settle(token, 'timed-out').reject(
        new TaskError('States.HeartbeatTimeout', `no heartbeat within ${waiter.heartbeatMs} ms`),
      );
    }, waiter.heartbeatMs);
  }

  private open(token: string): Waiter {
    const waiter = this.waiting.get(token);
    if (waiter) return waiter;
    // As Step Functions answers: a token once waited on, whether it was used, timed out or its execution
    // ended, is TaskTimedOut; only a token never handed out is TaskDoesNotExist.
    if (this.closed.has(token)) {
      throw new TaskTokenError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new TaskTokenError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  private settle(token: string, how: 'done' | 'timed-out'): Waiter {
    const waiter = this.open(token);
    clearTimeout(waiter.heartbeatTimer);
    this.waiting.delete(token);
    this.closed.set(token, how);
    return waiter;
  }
}
