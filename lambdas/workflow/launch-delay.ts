import { IllegalTransitionError } from '../domain/errors.js';
import type { WorkflowFailure } from '../domain/recorder-report.js';
import type { LaunchDelay, LaunchDelayReason, RecordingError } from '../domain/recording.js';
import { recordingError } from '../domain/recording-errors.js';
import type { RecordingStore } from '../store/recording-store.js';
import { StepError } from './step-error.js';

/** The launch errors RunRecorder hands to NoteLaunchDelay, and what each says about the wait. */
export const LAUNCH_ERROR_REASONS: Record<string, LaunchDelayReason> = {
  'AmazonECS.Unknown': 'capacity',
  'ECS.InvalidParameterException': 'throttled',
  'ECS.ThrottlingException': 'throttled',
  'ECS.LimitExceededException': 'throttled',
  'ECS.AmazonECSException': 'service_error',
  'ECS.ServerException': 'service_error',
  'Recorder.StoppedBeforeRecording': 'task_stopped',
};

export interface LaunchPolicy {
  /** How long after the first failed launch the workflow keeps trying. */
  readonly windowSeconds: number;
  /** The wait after the first failure; each further one doubles, up to `maxWaitSeconds`. */
  readonly firstWaitSeconds: number;
  readonly maxWaitSeconds: number;
}

export const DEFAULT_LAUNCH_POLICY: LaunchPolicy = {
  windowSeconds: 600,
  firstWaitSeconds: 10,
  maxWaitSeconds: 60,
};

export type LaunchDecision =
  | { retry: true; waitSeconds: number; attempts: number }
  | { retry: false; attempts: number; error: RecordingError };

/** The public `launch.message` per reason: what happened, not what the service said. */
export const LAUNCH_DELAY_MESSAGES: Record<LaunchDelayReason, string> = {
  capacity: 'No capacity was available.',
  throttled: 'The launch was throttled.',
  task_stopped: 'The recorder stopped before it started recording.',
  service_error: 'The container service failed.',
};

/** The wait before the next launch: doubling per failed attempt up to the cap, the upper half jittered. */
export function nextWaitSeconds(attempts: number, policy: LaunchPolicy, random: () => number): number {
  const base = Math.min(policy.maxWaitSeconds, policy.firstWaitSeconds * 2 ** Math.max(0, attempts - 1));
  return Math.max(1, Math.round(base / 2 + (random() * base) / 2));
}

/**
 * A launch of the recorder failed in a way that may heal (no capacity, throttled lookups, a task that
 * stopped before it recorded). While the window lasts the recording stays INVOKED, says why in `launch`
 * and the workflow waits the answered seconds before launching again; after it, the answer is to give up.
 */
export async function noteLaunchDelay(
  deps: { store: RecordingStore; policy: LaunchPolicy; now?: () => Date; random?: () => number },
  recordingId: string,
  failure: WorkflowFailure,
): Promise<LaunchDecision> {
  const now = deps.now?.() ?? new Date();
  const recording = await deps.store.get(recordingId);
  if (!recording) throw new StepError('RecordingMissing', `No recording ${recordingId}`);
  if (recording.status !== 'INVOKED') {
    throw new StepError('NotWaitingForLaunch', `Recording is ${recording.status}, not INVOKED.`);
  }
  const reason = LAUNCH_ERROR_REASONS[failure.Error] ?? 'service_error';
  const previous = recording.launch ?? undefined;
  const attempts = (previous?.attempts ?? 0) + 1;
  const since = previous?.since ?? now.toISOString();
  const elapsedSeconds = (now.getTime() - Date.parse(since)) / 1000;
  const remainingSeconds = deps.policy.windowSeconds - elapsedSeconds;
  const message = LAUNCH_DELAY_MESSAGES[reason];
  if (remainingSeconds <= 0 || recording.stopRequestedAt) {
    const error = recordingError('launch_failed');
    await write(deps.store, recordingId, {
      attempts,
      reason,
      message,
      since,
      nextAttemptAt: now.toISOString(),
    });
    return { retry: false, attempts, error };
  }
  const waitSeconds = Math.max(
    1,
    Math.min(Math.ceil(remainingSeconds), nextWaitSeconds(attempts, deps.policy, deps.random ?? Math.random)),
  );
  const nextAttemptAt = new Date(now.getTime() + waitSeconds * 1000).toISOString();
  await write(deps.store, recordingId, { attempts, reason, message, since, nextAttemptAt });
  return { retry: true, waitSeconds, attempts };
}

async function write(store: RecordingStore, recordingId: string, launch: LaunchDelay): Promise<void> {
  try {
    await store.update(recordingId, { launch }, ['INVOKED']);
  } catch (error) {
    if (!(error instanceof IllegalTransitionError)) throw error;
    throw new StepError('NotWaitingForLaunch', 'The recording left INVOKED while its launch was noted.');
  }
}
