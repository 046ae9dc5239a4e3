import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type GroupProcess, killGroup, spawnGroup } from '../emulators/process-group.js';
import { TaskError } from './task-tokens.js';

export const RECORDER_MAIN = fileURLToPath(new URL('../../recorder-container/src/main.ts', import.meta.url));

export interface RecorderTasksOptions {
  /** Command line of the recorder; defaults to recorder-container/src/main.ts run by this Node with tsx. */
  readonly command?: readonly string[];
  /** The container's environment from the task definition; RunTask's container overrides win over it. */
  readonly taskDefinitionEnv?: Record<string, string>;
  /** Local mode's additions (emulator endpoints, loopback meetings), winning over the container overrides. */
  readonly env: Record<string, string>;
  /** ECS sends SIGKILL this long after SIGTERM (the task definition's stopTimeout, default 30 s). */
  readonly stopTimeoutMs?: number;
  /** Receives the "ECS Task State Change" event ECS sends to EventBridge when a task has stopped. */
  readonly onTaskStopped?: (event: EcsTaskStoppedEvent) => void;
  readonly log?: (line: string) => void;
}

export const LOCAL_CLUSTER_ARN = 'arn:aws:ecs:us-east-1:000000000000:cluster/local';

/** The EventBridge event of a stopped ECS task, with the fields ECS sets that this project reads. */
export interface EcsTaskStoppedEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'ECS Task State Change';
  readonly source: 'aws.ecs';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: {
    readonly clusterArn: string;
    readonly taskArn: string;
    readonly lastStatus: 'STOPPED';
    readonly desiredStatus: 'STOPPED';
    readonly stopCode: 'EssentialContainerExited' | 'UserInitiated';
    readonly stoppedReason: string;
    readonly stoppedAt: string;
    readonly containers: { name: string; lastStatus: 'STOPPED'; exitCode?: number }[];
    readonly overrides: {
      containerOverrides: { name: string; environment: { name: string; value: string }[] }[];
    };
  };
}

/** The container environment of a RunTask call: every `Overrides.ContainerOverrides[].Environment` entry. */
export function containerEnvironment(parameters: Record<string, unknown>): Record<string, string> {
  const overrides = (parameters.Overrides as { ContainerOverrides?: unknown } | undefined)
    ?.ContainerOverrides;
  const env: Record<string, string> = {};
  if (!Array.isArray(overrides)) return env;
  for (const container of overrides as { Environment?: { Name?: unknown; Value?: unknown }[] }[]) {
    for (const entry of container.Environment ?? []) {
      if (typeof entry.Name === 'string' && entry.Value !== undefined) env[entry.Name] = String(entry.Value);
    }
  }
  return env;
}

/**
 * ECS tasks as local processes: RunTask starts the recorder with the task's environment and a task ARN;
 * StopTask sends SIGTERM to it (the container's main process) and SIGKILL to all it started after the
 * stop timeout, as ECS does.
 */
export class RecorderTasks {
  private readonly running = new Map<string, GroupProcess>();
  /** Every task started, by ARN, with its recording id: ECS answers StopTask for a stopped task too. */
  private readonly launched = new Map<string, string | undefined>();
  /** StopTask's reason, per task it was asked to stop. */
  private readonly stopReasons = new Map<string, string>();

  constructor(private readonly options: RecorderTasksOptions) {}

  /** Starts a recorder; returns its task ARN. */
  launch(parameters: Record<string, unknown>): string {
    const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/local/${randomUUID().replaceAll('-', '')}`;
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...this.options.taskDefinitionEnv,
      ...containerEnvironment(parameters),
      ...this.options.env,
      TASK_ARN: taskArn,
    };
    const [command, ...args] = this.options.command ?? [process.execPath, '--import', 'tsx', RECORDER_MAIN];
    if (!command) throw new TaskError('ECS.AmazonECSException', 'no recorder command');
    const recorder = spawnGroup(command, args, { env });
    this.running.set(taskArn, recorder);
    this.launched.set(taskArn, env.RECORDING_ID);
    const label = env.RECORDING_ID ?? taskArn.split('/').at(-1);
    const log = this.options.log;
    if (log) {
      for (const stream of [recorder.child.stdout, recorder.child.stderr]) {
        if (stream)
          createInterface({ input: stream }).on('line', (line) => log(`[recorder ${label}] ${line}`));
      }
    }
    recorder.gone.then(() => {
      this.running.delete(taskArn);
      log?.(
        `[recorder ${label}] exited (code ${recorder.child.exitCode}, signal ${recorder.child.signalCode})`,
      );
      this.options.onTaskStopped?.(this.stoppedEvent(taskArn, parameters, recorder));
    });
    return taskArn;
  }

  private stoppedEvent(
    taskArn: string,
    parameters: Record<string, unknown>,
    recorder: GroupProcess,
  ): EcsTaskStoppedEvent {
    const { exitCode, signalCode } = recorder.child;
    // As Docker reports a container killed by a signal: 128 + the signal's number.
    const containerExit = exitCode ?? (signalCode ? 128 + constants.signals[signalCode] : undefined);
    const stopReason = this.stopReasons.get(taskArn);
    const time = new Date().toISOString();
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '000000000000',
      time,
      region: 'us-east-1',
      resources: [taskArn],
      detail: {
        clusterArn: LOCAL_CLUSTER_ARN,
        taskArn,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: stopReason === undefined ? 'EssentialContainerExited' : 'UserInitiated',
        stoppedReason: stopReason ?? 'Essential container in task exited',
        stoppedAt: time,
        containers: [
          {
            name: 'recorder',
            lastStatus: 'STOPPED',
            ...(containerExit === undefined ? {} : { exitCode: containerExit }),
          },
        ],
        overrides: {
          containerOverrides: [
            {
              name: 'recorder',
              environment: Object.entries(containerEnvironment(parameters)).map(([name, value]) => ({
                name,
                value,
              })),
            },
          ],
        },
      },
    };
  }

  /** Like ECS StopTask: returns at once; the task stops in the background. */
  stop(taskArn: string, reason = 'Task stopped by user'): void {
    const recorder = this.running.get(taskArn);
    if (!recorder) {
      // ECS answers StopTask for a task that has already stopped; it refuses only ARNs it never ran.
      if (this.launched.has(taskArn)) return;
      throw new TaskError('Ecs.InvalidParameterException', `The referenced task was not found: ${taskArn}`);
    }
    this.stopReasons.set(taskArn, reason);
    recorder.child.kill('SIGTERM');
    const timer = setTimeout(() => void recorder.stop(0), this.options.stopTimeoutMs ?? 30_000);
    recorder.gone.then(() => {
      clearTimeout(timer);
      void recorder.stop(0);
    });
  }

  isRunning(taskArn: string): boolean {
    return this.running.has(taskArn);
  }

  /** The running task of a recording, if any. */
  taskOf(recordingId: string): string | undefined {
    return [...this.running.keys()].find((taskArn) => this.launched.get(taskArn) === recordingId);
  }

  /** Kills a task outright (its whole process group), as when a container dies; for fault tests. */
  async kill(taskArn: string): Promise<void> {
    const recorder = this.running.get(taskArn);
    if (!recorder) return;
    killGroup(recorder.child, 'SIGKILL');
    await recorder.gone;
  }

  /** Stops every recorder (SIGTERM, SIGKILL after `graceMs`) and waits for them. */
  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.running.values()].map((recorder) => recorder.stop(graceMs)));
  }
}
