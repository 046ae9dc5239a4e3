import type { Recording } from '../domain/recording.js';
import { isLive } from '../domain/recording.js';
import type { LiveLock } from '../store/live-locks.js';

/** What DescribeExecution says about one execution, or undefined when it does not exist. */
export interface ExecutionState {
  readonly name: string;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT' | 'PENDING_REDRIVE';
  readonly startDate: Date;
}

export interface ReconcileSettings {
  /** Seconds past maxDuration the recorder has to finalise (the RunRecorder timeout's grace). */
  readonly finaliseGraceSeconds: number;
  /** Seconds a launch may take, placement retries included. */
  readonly launchAllowanceSeconds: number;
  /** Seconds the workflow gives a stopped recorder (WaitForRecorderExit). */
  readonly stopWindowSeconds: number;
  /** Seconds salvage, finalize and their retries may take. */
  readonly stepsAllowanceSeconds: number;
  /** A recording this young without an execution may be waiting for its StartExecution (the start route's time). */
  readonly startGraceSeconds: number;
  /** Recovery executions per recording before the reconciler marks it ERRORED itself. */
  readonly maxRecoveries: number;
}

export const RECONCILE_DEFAULTS: Omit<ReconcileSettings, 'finaliseGraceSeconds'> = {
  launchAllowanceSeconds: 600,
  stopWindowSeconds: 130,
  stepsAllowanceSeconds: 600,
  startGraceSeconds: 120,
  maxRecoveries: 3,
};

export type Decision =
  | { readonly action: 'release-lock' }
  | { readonly action: 'leave'; readonly reason: 'starting' | 'running' | 'recovering' }
  | { readonly action: 'recover'; readonly attempt: number; readonly stop: readonly string[] }
  | { readonly action: 'mark-errored'; readonly stop: readonly string[] };

/** The latest moment a healthy workflow can still hold this recording live. */
export function deadlineOf(
  recording: Pick<Recording, 'createdAt' | 'maxDurationSeconds'>,
  settings: ReconcileSettings,
): number {
  const seconds =
    recording.maxDurationSeconds +
    settings.finaliseGraceSeconds +
    settings.launchAllowanceSeconds +
    settings.stopWindowSeconds +
    settings.stepsAllowanceSeconds;
  return Date.parse(recording.createdAt) + seconds * 1000;
}

export const recoveryName = (recordingId: string, attempt: number) => `${recordingId}-recover-${attempt}`;

/**
 * What to do about one meeting lock: free it when its recording is no longer live; leave a recording whose
 * workflow runs within its deadline; otherwise stop what still runs and start a recovery execution, which
 * salvages or marks ERRORED through the workflow's own steps, and after `maxRecoveries` mark it ERRORED here.
 */
export function decide(input: {
  readonly recording: Pick<Recording, 'status' | 'createdAt' | 'maxDurationSeconds'> | undefined;
  /** The execution named after the recording. */
  readonly main: ExecutionState | undefined;
  /** The recovery executions that exist, attempt 1 first. */
  readonly recoveries: readonly ExecutionState[];
  readonly now: number;
  readonly settings: ReconcileSettings;
}): Decision {
  const { recording, main, recoveries, now, settings } = input;
  if (!recording || !isLive(recording.status)) return { action: 'release-lock' };
  const last = recoveries.at(-1);
  if (!main && !last && now < Date.parse(recording.createdAt) + settings.startGraceSeconds * 1000) {
    return { action: 'leave', reason: 'starting' };
  }
  const running = [main, ...recoveries].filter((execution) => execution?.status === 'RUNNING');
  if (last?.status === 'RUNNING') {
    const recoveryDeadline =
      last.startDate.getTime() + (settings.stopWindowSeconds + settings.stepsAllowanceSeconds) * 1000;
    if (now <= recoveryDeadline) return { action: 'leave', reason: 'recovering' };
  } else if (!last && main?.status === 'RUNNING' && now <= deadlineOf(recording, settings)) {
    return { action: 'leave', reason: 'running' };
  }
  const stop = running.map((execution) => (execution as ExecutionState).name);
  return recoveries.length < settings.maxRecoveries
    ? { action: 'recover', attempt: recoveries.length + 1, stop }
    : { action: 'mark-errored', stop };
}

export interface ReconcileDeps {
  locks(): Promise<LiveLock[]>;
  releaseLock(lock: LiveLock): Promise<boolean>;
  recording(id: string): Promise<Recording | undefined>;
  describe(executionName: string): Promise<ExecutionState | undefined>;
  stop(executionName: string, cause: string): Promise<void>;
  /** StartExecution; an execution of that name already existing is not an error. */
  start(executionName: string, input: Record<string, unknown>): Promise<void>;
  markErrored(recording: Recording, message: string): Promise<void>;
  log(message: string, fields: Record<string, unknown>): void;
}

export type LockOutcome = Decision['action'] | 'failed';

/** One pass over every meeting lock. Answers what was done per recording; one failure does not stop the pass. */
export async function reconcile(
  deps: ReconcileDeps,
  settings: ReconcileSettings,
  now: () => number = Date.now,
): Promise<{ outcomes: Record<string, LockOutcome>; failed: number }> {
  const outcomes: Record<string, LockOutcome> = {};
  let failed = 0;
  for (const lock of await deps.locks()) {
    try {
      outcomes[lock.recordingId] = await reconcileOne(deps, settings, lock, now);
    } catch (error) {
      failed++;
      outcomes[lock.recordingId] = 'failed';
      deps.log('Reconcile failed', { recordingId: lock.recordingId, error: String(error) });
    }
  }
  return { outcomes, failed };
}

async function reconcileOne(
  deps: ReconcileDeps,
  settings: ReconcileSettings,
  lock: LiveLock,
  now: () => number,
): Promise<LockOutcome> {
  const recording = await deps.recording(lock.recordingId);
  const main = recording && (await deps.describe(recording.id));
  const recoveries: ExecutionState[] = [];
  while (recording && recoveries.length < settings.maxRecoveries) {
    const recovery = await deps.describe(recoveryName(recording.id, recoveries.length + 1));
    if (!recovery) break;
    recoveries.push(recovery);
  }
  const decision = decide({ recording, main, recoveries, now: now(), settings });
  if (decision.action === 'leave') return decision.action;
  if (decision.action === 'release-lock' || !recording) {
    await deps.releaseLock(lock);
    deps.log('Released the lock of a recording no longer live', {
      recordingId: lock.recordingId,
      status: recording?.status ?? 'MISSING',
    });
    return 'release-lock';
  }
  const lost = `The recording's workflow ${main ? `ended ${main.status}` : 'never started'} or passed its deadline while the recording was ${recording.status}.`;
  for (const name of decision.stop) await deps.stop(name, `Reconciler: ${lost}`);
  // The workflow may have finished the recording between the first read and the stop.
  const current = await deps.recording(recording.id);
  if (!current || !isLive(current.status)) return 'leave';
  if (decision.action === 'mark-errored') {
    await deps.markErrored(current, `${lost} ${settings.maxRecoveries} recoveries did not end it.`);
  } else {
    await deps.start(recoveryName(current.id, decision.attempt), recoveryInput(current, settings, lost));
  }
  deps.log('Recovering a recording', {
    recordingId: current.id,
    status: current.status,
    decision,
    main: main?.status,
  });
  return decision.action;
}

/** The execution input the start route wrote, plus what sends the workflow to its recovery path. */
export function recoveryInput(recording: Recording, settings: ReconcileSettings, cause: string) {
  return {
    recordingId: recording.id,
    clientId: recording.clientId,
    objectKey: recording.objectKey,
    meetingUrl: recording.meetingUrl,
    maxDurationSeconds: recording.maxDurationSeconds,
    resolution: recording.resolution,
    format: recording.format,
    timeoutSeconds: recording.maxDurationSeconds + settings.finaliseGraceSeconds,
    recover: true,
    failure: { Error: 'Reconciler.WorkflowLost', Cause: cause },
  };
}
