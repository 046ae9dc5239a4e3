import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, startBody, startTestLocalMode, waitForEmailTo, waitForRecording } from './local-mode.js';

let local: LocalMode;
beforeAll(async () => {
  local = await startTestLocalMode({
    // Small parts so that some reach storage before the kill; the recorder is already dead when the
    // workflow waits for it to exit.
    recorderEnv: { UPLOAD_PART_BYTES: String(64 * 1024) },
    waitOverridesMs: { WaitForRecorderExit: 1_000 },
  });
});
afterAll(() => local?.stop());

describe('a recorder that dies mid-way', () => {
  it('leaves a partial file that is salvaged and emailed as partial', async () => {
    const client = clientFor(local);
    const body = startBody(local);
    const { id } = (await client.POST('/v1/recordings', { body })).data!;
    await waitForRecording(client, id, (recording) => recording.status === 'RECORDING');
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const taskArn = local.workflow.recorders.taskOf(id);
    expect(taskArn).toBeDefined();
    await local.workflow.recorders.kill(taskArn!);

    // No more heartbeats: the workflow notices after HeartbeatSeconds (60 s) and salvages the parts.
    const done = await waitForRecording(
      client,
      id,
      (recording) => ['UPLOADED', 'ERRORED'].includes(recording.status),
      300_000,
    );
    expect(done).toMatchObject({ status: 'UPLOADED', partial: true });
    expect(done.file!.sizeBytes).toBeGreaterThan(0);

    const email = await waitForEmailTo(local, body.host.email);
    expect(email.subject).toBe('Your recording "E2E meeting" is ready (partial)');
  });
});
