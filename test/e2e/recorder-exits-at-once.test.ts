import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, startBody, waitForRecording } from './local-mode.js';
import { startRecoveryLocalMode } from './recovery-local-mode.js';

const OUTCOME_WITHIN_MS = 120_000;

describe('a recorder that exits at once, before it records', () => {
  let local: LocalMode;
  const lines: string[] = [];
  const window = process.env.LAUNCH_RETRY_WINDOW_SECONDS;
  beforeAll(async () => {
    // The relaunch loop gives up after its window: 2 s here instead of the deployment's 10 minutes.
    process.env.LAUNCH_RETRY_WINDOW_SECONDS = '2';
    local = await startRecoveryLocalMode(
      {
        recorderCommand: [process.execPath, '-e', 'process.exit(3)'],
        waitOverridesMs: { WaitForRecorderExit: 1_000, WaitBeforeRelaunch: 500 },
      },
      lines,
    );
  });
  afterAll(async () => {
    await local?.stop();
    if (window === undefined) delete process.env.LAUNCH_RETRY_WINDOW_SECONDS;
    else process.env.LAUNCH_RETRY_WINDOW_SECONDS = window;
  });

  it('fails RunRecorder with Recorder.StoppedBeforeRecording from the stop event, relaunches, then gives up', async () => {
    const client = clientFor(local);
    const body = startBody(local);
    const started = await client.POST('/v1/recordings', { body });
    expect(started.response.status).toBe(202);
    const { id } = started.data!;

    // The error name that reached the workflow: what a relaunch loop on RunRecorder catches.
    await expect
      .poll(() => lines.some((line) => line.includes('"error":"Recorder.StoppedBeforeRecording"')), {
        timeout: OUTCOME_WITHIN_MS,
      })
      .toBe(true);
    expect(lines.find((line) => line.startsWith('recorder-task-stopped'))).toContain(
      '"outcome":"failed-task"',
    );

    // Each relaunch exits at once too: after the launch window, ERRORED as launch_failed, the meeting free.
    const done = await waitForRecording(
      client,
      id,
      (recording) => ['UPLOADED', 'ERRORED'].includes(recording.status),
      OUTCOME_WITHIN_MS,
    );
    expect(done).toMatchObject({
      status: 'ERRORED',
      error: { code: 'launch_failed' },
      launch: { reason: 'task_stopped' },
    });
    expect(done.launch!.attempts).toBeGreaterThan(1);
    const again = await client.POST('/v1/recordings', { body: { ...body, meetingTitle: 'again' } });
    expect(again.response.status).toBe(202);
  });
});
