import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, startBody, waitForRecording } from './local-mode.js';
import { startRecoveryLocalMode } from './recovery-local-mode.js';

const OUTCOME_WITHIN_MS = 120_000;

describe('a recorder that exits at once, before it records', () => {
  let local: LocalMode;
  const lines: string[] = [];
  beforeAll(async () => {
    local = await startRecoveryLocalMode(
      {
        recorderCommand: [process.execPath, '-e', 'process.exit(3)'],
        waitOverridesMs: { WaitForRecorderExit: 1_000 },
      },
      lines,
    );
  });
  afterAll(() => local?.stop());

  it('fails RunRecorder with Recorder.StoppedBeforeRecording from the stop event', async () => {
    const client = clientFor(local);
    const body = startBody(local);
    const started = await client.request('POST', '/v1/recordings', body);
    expect(started.status).toBe(202);
    const { id } = started.body as { id: string };

    // The error name that reached the workflow: what a relaunch loop on RunRecorder catches.
    await expect
      .poll(() => lines.some((line) => line.includes('"error":"Recorder.StoppedBeforeRecording"')), {
        timeout: OUTCOME_WITHIN_MS,
      })
      .toBe(true);
    expect(lines.find((line) => line.startsWith('recorder-task-stopped'))).toContain(
      '"outcome":"failed-task"',
    );

    // Without a relaunch loop in the workflow, the error goes to salvage: nothing there, so ERRORED with it.
    // INTEGRATOR: once RunRecorder relaunches on this error, the recording ends ERRORED only after the
    // last attempt, with the same code; lengthen this wait to cover the relaunches.
    const done = await waitForRecording(
      client,
      id,
      (recording) => ['UPLOADED', 'ERRORED'].includes(recording.status),
      OUTCOME_WITHIN_MS,
    );
    expect(done).toMatchObject({
      status: 'ERRORED',
      error: {
        code: 'stopped_before_recording',
        message:
          'Essential container in task exited; stop code EssentialContainerExited; container recorder exit code 3',
      },
    });
    expect(await client.request('POST', '/v1/recordings', { ...body, meetingTitle: 'again' })).toMatchObject({
      status: 202,
    });
  });
});
