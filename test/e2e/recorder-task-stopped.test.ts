import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, emailsTo, startBody, waitForEmailTo, waitForRecording } from './local-mode.js';
import { startRecoveryLocalMode } from './recovery-local-mode.js';

const OUTCOME_WITHIN_MS = 120_000;

describe('a recorder killed after it uploaded parts', () => {
  let local: LocalMode;
  const lines: string[] = [];
  beforeAll(async () => {
    local = await startRecoveryLocalMode(
      {
        recorderEnv: { UPLOAD_PART_BYTES: String(64 * 1024) },
        waitOverridesMs: { WaitForRecorderExit: 1_000 },
      },
      lines,
    );
  });
  afterAll(() => local?.stop());

  it('is salvaged to UPLOADED partial with one email, noticed from the stop event', async () => {
    const client = clientFor(local);
    const body = startBody(local);
    const { id } = (await client.POST('/v1/recordings', { body })).data!;
    await waitForRecording(client, id, (recording) => recording.status === 'RECORDING');
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const taskArn = local.workflow.recorders.taskOf(id);
    expect(taskArn).toBeDefined();
    const killedAt = Date.now();
    await local.workflow.recorders.kill(taskArn!);

    const done = await waitForRecording(
      client,
      id,
      (recording) => ['UPLOADED', 'ERRORED'].includes(recording.status),
      OUTCOME_WITHIN_MS,
    );
    console.log(`killed recorder → ${done.status}: ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
    expect(done).toMatchObject({ status: 'UPLOADED', partial: true });
    expect(done.file!.sizeBytes).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('"error":"Recorder.TaskStopped"'))).toBe(true);

    const email = await waitForEmailTo(local, body.host.email);
    expect(email.subject).toBe('Your recording "E2E meeting" is ready (partial)');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await emailsTo(local, body.host.email)).toHaveLength(1);
  });
});
