import {
  InvalidToken,
  SendTaskFailureCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { RecordingStatus } from '../domain/recording.js';

/** The parts of an EventBridge "ECS Task State Change" event's `detail` that this reads. */
export interface EcsTaskStateChange {
  readonly lastStatus?: string;
  readonly clusterArn?: string;
  readonly taskArn?: string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containers?: readonly { name?: string; exitCode?: number; reason?: string }[];
  readonly overrides?: {
    readonly containerOverrides?: readonly {
      name?: string;
      environment?: readonly { name?: string; value?: string }[];
    }[];
  };
}

/** A stopped recorder task: whose it was, the token its workflow waits on, and why it stopped. */
export interface StoppedRecorderTask {
  readonly recordingId: string;
  readonly taskToken: string;
  readonly cause: string;
}

export const STOPPED_BEFORE_RECORDING = 'Recorder.StoppedBeforeRecording';
export const TASK_STOPPED = 'Recorder.TaskStopped';

const MAX_CAUSE_LENGTH = 500;

/** Removes what must not reach a client-visible message: ARNs, account ids, host names and addresses. */
export function sanitizeCause(text: string): string {
  return text
    .replace(/arn:aws[\w-]*:[^\s,;'"]*/g, '<arn>')
    .replace(
      /\b[\w-]+(\.[\w-]+)*\.(amazonaws\.com|internal|local)(:\d+)?(\/[^\s,;'"]*[^\s,;'":])?/g,
      '<host>',
    )
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<address>')
    .replace(/\[?(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\]?(?::\d+)?/gi, (match) =>
      match.includes('::') || match.split(':').length > 5 ? '<address>' : match,
    )
    .replace(/\b\d{12}\b/g, '<account>')
    .slice(0, MAX_CAUSE_LENGTH);
}

/** The recorder task of a stop event, or undefined for an event of any other task or state. */
export function stoppedRecorderTask(detail: EcsTaskStateChange): StoppedRecorderTask | undefined {
  if (detail.lastStatus !== 'STOPPED') return undefined;
  const env = new Map<string, string>();
  for (const container of detail.overrides?.containerOverrides ?? []) {
    for (const { name, value } of container.environment ?? []) {
      if (name && value !== undefined) env.set(name, value);
    }
  }
  const recordingId = env.get('RECORDING_ID');
  const taskToken = env.get('TASK_TOKEN');
  if (!recordingId || !taskToken) return undefined;
  const exits = (detail.containers ?? [])
    .filter((container) => container.exitCode !== undefined || container.reason)
    .map((container) =>
      [
        `container ${container.name ?? '?'}`,
        container.exitCode === undefined ? undefined : `exit code ${container.exitCode}`,
        container.reason,
      ]
        .filter(Boolean)
        .join(' '),
    );
  const cause = [
    detail.stoppedReason ?? 'The recorder task stopped',
    detail.stopCode ? `stop code ${detail.stopCode}` : undefined,
    ...exits,
  ]
    .filter(Boolean)
    .join('; ');
  return { recordingId, taskToken, cause: sanitizeCause(cause) };
}

export interface TaskStoppedDeps {
  /** The recording's current status, or undefined when there is none. */
  statusOf(recordingId: string): Promise<RecordingStatus | undefined>;
  /** SendTaskFailure; answers false when the token was used already (the task reported, or timed out). */
  failTask(taskToken: string, error: string, cause: string): Promise<boolean>;
}

export type TaskStoppedOutcome =
  | { readonly outcome: 'failed-task'; readonly error: string }
  | { readonly outcome: 'ignored'; readonly reason: 'not-live' | 'token-used' };

/**
 * A recorder task stopped. If its recording is still live, the workflow still waits on the task's token:
 * fail it now instead of at the heartbeat timeout. Events come at least once and also for tasks that
 * reported and exited normally: then the token is used and nothing changes.
 */
export async function reportStoppedTask(
  deps: TaskStoppedDeps,
  task: StoppedRecorderTask,
): Promise<TaskStoppedOutcome> {
  const status = await deps.statusOf(task.recordingId);
  if (status !== 'INVOKED' && status !== 'RECORDING' && status !== 'UPLOADING') {
    return { outcome: 'ignored', reason: 'not-live' };
  }
  const error = status === 'INVOKED' ? STOPPED_BEFORE_RECORDING : TASK_STOPPED;
  const failed = await deps.failTask(task.taskToken, error, task.cause);
  return failed ? { outcome: 'failed-task', error } : { outcome: 'ignored', reason: 'token-used' };
}

/** SendTaskFailure through the SDK, a used or unknown token being an answer, not an error. */
export function sfnTaskFailer(sfn: SFNClient): TaskStoppedDeps['failTask'] {
  return async (taskToken, error, cause) => {
    try {
      await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
      return true;
    } catch (caught) {
      if (
        caught instanceof TaskTimedOut ||
        caught instanceof TaskDoesNotExist ||
        caught instanceof InvalidToken
      ) {
        return false;
      }
      throw caught;
    }
  };
}
