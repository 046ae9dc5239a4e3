import { describe, expect, it } from 'vitest';
import {
  deadlineOf,
  decide,
  type ExecutionState,
  RECONCILE_DEFAULTS,
  type ReconcileDeps,
  reconcile,
  recoveryInput,
} from '../../lambdas/recovery/reconcile.js';
import { uploadedRecording } from '../support/recordings.js';

const settings = { ...RECONCILE_DEFAULTS, finaliseGraceSeconds: 300 };
const createdAt = '2026-12-07T10:00:00.000Z';
const t0 = Date.parse(createdAt);
const minutes = (n: number) => t0 + n * 60_000;
const recording = (status: 'INVOKED' | 'RECORDING' | 'UPLOADING' | 'UPLOADED' | 'ERRORED' | 'DELETED') => ({
  status,
  createdAt,
  maxDurationSeconds: 3600,
});
const execution = (name: string, status: ExecutionState['status'], startedAt = t0): ExecutionState => ({
  name,
  status,
  startDate: new Date(startedAt),
});
const main = (status: ExecutionState['status']) => execution('rec_1', status);

describe('deadlineOf', () => {
  it('is maxDuration + finalise grace + launch allowance + stop window + steps after creation', () => {
    expect(deadlineOf(recording('RECORDING'), settings)).toBe(t0 + (3600 + 300 + 600 + 130 + 600) * 1000);
  });
});

describe('decide', () => {
  const at = (now: number, input: Partial<Parameters<typeof decide>[0]>) =>
    decide({ recording: recording('RECORDING'), main: undefined, recoveries: [], now, settings, ...input });

  it('frees the lock of a recording that is no longer live, or gone', () => {
    for (const status of ['UPLOADED', 'ERRORED', 'DELETED'] as const) {
      expect(at(minutes(1), { recording: recording(status) })).toEqual({ action: 'release-lock' });
    }
    expect(at(minutes(1), { recording: undefined })).toEqual({ action: 'release-lock' });
  });

  it('leaves a recording young enough to be waiting for its StartExecution, not one whose execution ended', () => {
    expect(at(minutes(1), { recording: recording('INVOKED') })).toEqual({
      action: 'leave',
      reason: 'starting',
    });
    expect(at(minutes(1), { main: main('ABORTED') })).toEqual({ action: 'recover', attempt: 1, stop: [] });
  });

  it('leaves a running workflow within the deadline', () => {
    expect(at(minutes(80), { main: main('RUNNING') })).toEqual({ action: 'leave', reason: 'running' });
  });

  it('stops a running workflow past the deadline and recovers', () => {
    expect(at(minutes(90), { main: main('RUNNING') })).toEqual({
      action: 'recover',
      attempt: 1,
      stop: ['rec_1'],
    });
  });

  it('recovers a live recording whose workflow ended or never started', () => {
    for (const status of ['ABORTED', 'FAILED', 'TIMED_OUT', 'SUCCEEDED'] as const) {
      expect(at(minutes(3), { main: main(status) })).toEqual({ action: 'recover', attempt: 1, stop: [] });
    }
    expect(at(minutes(3), { recording: recording('INVOKED') })).toEqual({
      action: 'recover',
      attempt: 1,
      stop: [],
    });
  });

  it('leaves a recovery that runs within its own allowance, then stops it and tries the next', () => {
    const recovering = [execution('rec_1-recover-1', 'RUNNING', minutes(3))];
    expect(at(minutes(10), { main: main('ABORTED'), recoveries: recovering })).toEqual({
      action: 'leave',
      reason: 'recovering',
    });
    expect(at(minutes(16), { main: main('ABORTED'), recoveries: recovering })).toEqual({
      action: 'recover',
      attempt: 2,
      stop: ['rec_1-recover-1'],
    });
  });

  it('tries the next recovery when one ended with the recording still live', () => {
    const ended = [execution('rec_1-recover-1', 'FAILED', minutes(3))];
    expect(at(minutes(8), { main: main('ABORTED'), recoveries: ended })).toEqual({
      action: 'recover',
      attempt: 2,
      stop: [],
    });
  });

  it('marks the recording ERRORED itself after maxRecoveries, stopping whatever still runs', () => {
    const recoveries = [1, 2, 3].map((n) =>
      execution(`rec_1-recover-${n}`, n === 3 ? 'RUNNING' : 'FAILED', minutes(3 * n)),
    );
    expect(at(minutes(40), { main: main('ABORTED'), recoveries })).toEqual({
      action: 'mark-errored',
      stop: ['rec_1-recover-3'],
    });
  });
});

describe('recoveryInput', () => {
  it("is the start route's input plus recover and the reason", () => {
    const stored = uploadedRecording({ status: 'RECORDING' });
    expect(recoveryInput(stored, settings, 'lost')).toEqual({
      recordingId: stored.id,
      clientId: stored.clientId,
      objectKey: stored.objectKey,
      meetingUrl: stored.meetingUrl,
      maxDurationSeconds: 3600,
      resolution: '720p',
      format: 'mp4',
      timeoutSeconds: 3900,
      recover: true,
      failure: { Error: 'Reconciler.WorkflowLost', Cause: 'lost' },
    });
  });
});

describe('reconcile', () => {
  const lock = (recordingId: string) => ({
    key: { pk: `LOCK#c#${recordingId}`, sk: 'LOCK' },
    recordingId,
    createdAt,
  });
  const live = (id: string) => uploadedRecording({ id, status: 'RECORDING', createdAt });

  function deps(overrides: Partial<ReconcileDeps> = {}) {
    const calls: string[] = [];
    const base: ReconcileDeps = {
      locks: async () => [lock('rec_a'), lock('rec_b')],
      releaseLock: async (l) => {
        calls.push(`release ${l.recordingId}`);
        return true;
      },
      recording: async (id) => live(id),
      describe: async (name) => (name.includes('-recover-') ? undefined : execution(name, 'ABORTED')),
      stop: async (name) => {
        calls.push(`stop ${name}`);
      },
      start: async (name) => {
        calls.push(`start ${name}`);
      },
      markErrored: async (r) => {
        calls.push(`errored ${r.id}`);
      },
      log: () => {},
    };
    return { deps: { ...base, ...overrides }, calls };
  }

  it('recovers each lost recording; one failing does not stop the others', async () => {
    const { deps: d, calls } = deps({
      describe: async (name) => {
        if (name === 'rec_a') throw new Error('throttled');
        return name.includes('-recover-') ? undefined : execution(name, 'ABORTED');
      },
    });
    expect(await reconcile(d, settings, () => minutes(10))).toEqual({
      outcomes: { rec_a: 'failed', rec_b: 'recover' },
      failed: 1,
    });
    expect(calls).toEqual(['start rec_b-recover-1']);
  });

  it('starts nothing when the workflow finished the recording meanwhile', async () => {
    let reads = 0;
    const { deps: d, calls } = deps({
      locks: async () => [lock('rec_a')],
      describe: async (name) => (name.includes('-recover-') ? undefined : execution(name, 'RUNNING')),
      recording: async (id) => (reads++ === 0 ? live(id) : { ...live(id), status: 'UPLOADED' }),
    });
    expect((await reconcile(d, settings, () => minutes(90))).outcomes).toEqual({ rec_a: 'leave' });
    expect(calls).toEqual(['stop rec_a']);
  });

  it('frees an orphan lock and marks ERRORED after the last recovery', async () => {
    const { deps: d, calls } = deps({
      recording: async (id) => (id === 'rec_a' ? undefined : live(id)),
      describe: async (name) => execution(name, 'FAILED'),
    });
    expect((await reconcile(d, settings, () => minutes(60))).outcomes).toEqual({
      rec_a: 'release-lock',
      rec_b: 'mark-errored',
    });
    expect(calls).toEqual(['release rec_a', 'errored rec_b']);
  });
});
