import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRecordingId } from '../../lambdas/domain/names.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { type LocalMode, STATE_MACHINE_ARN } from '../../local/local-mode.js';
import { uploadedRecording } from '../support/recordings.js';
import { clientFor, emailsTo, startBody, waitForEmailTo, waitForRecording } from './local-mode.js';
import { startRecoveryLocalMode } from './recovery-local-mode.js';

const RECONCILE_INTERVAL_MS = 5_000;
const executionArn = (name: string) =>
  `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;

let local: LocalMode;
let sfn: SFNClient;
const lines: string[] = [];
beforeAll(async () => {
  local = await startRecoveryLocalMode(
    {
      reconcileIntervalMs: RECONCILE_INTERVAL_MS,
      recorderEnv: { UPLOAD_PART_BYTES: String(64 * 1024) },
      // Time for the stopped recorder to finish its own upload, as its SIGTERM window gives it in AWS.
      waitOverridesMs: { WaitForRecorderExit: 20_000 },
    },
    lines,
  );
  sfn = new SFNClient({ endpoint: local.endpoints.sfn });
});
afterAll(async () => {
  sfn?.destroy();
  await local?.stop();
});

const reconciled = (id: string) =>
  lines.find((line) => line.startsWith('reconcile-recordings:') && line.includes(id));

describe('the reconciler in local mode', () => {
  it('drives a recording stuck INVOKED with no execution at all to ERRORED and frees its meeting', async () => {
    const client = clientFor(local);
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const meetingId = `m-stuck-${Date.now()}`;
    // What a start route that died between its write and StartExecution leaves behind, ten minutes ago.
    const stuck = uploadedRecording({
      id: newRecordingId(),
      clientId: 'e2e',
      meetingId,
      status: 'INVOKED',
      createdAt: new Date(Date.now() - 10 * 60_000).toISOString(),
      objectKey: `recordings/e2e/${meetingId}/rec_stuck/x.mp4`,
      file: null,
      uploadedAt: null,
      stoppedAt: null,
      startedAt: null,
      stopReason: null,
      durationSeconds: null,
    });
    await new DynamoRecordingStore(documents, local.env.TABLE_NAME!).create(stuck);
    documents.destroy();
    const body = startBody(local, { meetingId });
    expect((await client.POST('/v1/recordings', { body })).response.status).toBe(409);

    const done = await waitForRecording(client, stuck.id, (r) => r.status !== 'INVOKED', 60_000);
    expect(done).toMatchObject({
      status: 'ERRORED',
      error: { code: 'recorder_failed', message: 'The recorder failed before anything was uploaded.' },
    });
    expect(reconciled(stuck.id)).toContain('"recover"');
    expect((await client.POST('/v1/recordings', { body })).response.status).toBe(202);
  });

  it('heals a workflow execution stopped mid-recording: UPLOADED partial, one email, the meeting free again', async () => {
    const client = clientFor(local);
    const body = startBody(local);
    const { id } = (await client.POST('/v1/recordings', { body })).data!;
    await waitForRecording(client, id, (recording) => recording.status === 'RECORDING');
    await new Promise((resolve) => setTimeout(resolve, 10_000));

    const stoppedAt = Date.now();
    await sfn.send(new StopExecutionCommand({ executionArn: executionArn(id), cause: 'fault test' }));
    await expect.poll(() => reconciled(id), { timeout: 60_000, interval: 200 }).toBeDefined();
    const noticedAfter = (Date.now() - stoppedAt) / 1000;

    const done = await waitForRecording(
      client,
      id,
      (recording) => ['UPLOADED', 'ERRORED'].includes(recording.status),
      180_000,
    );
    console.log(
      `execution stopped → recovery started after ${noticedAfter.toFixed(1)} s (reconcile interval ${RECONCILE_INTERVAL_MS / 1000} s), ` +
        `→ ${done.status} after ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s`,
    );
    expect(done).toMatchObject({ status: 'UPLOADED', partial: true });
    expect(done.file!.sizeBytes).toBeGreaterThan(0);
    // UPLOADED is written by FinalizeRecording; the recovery execution ends after NotifyHost.
    const recoveryStatus = async () =>
      (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(`${id}-recover-1`) })))
        .status;
    await expect.poll(recoveryStatus, { timeout: 60_000, interval: 200 }).toBe('SUCCEEDED');

    const email = await waitForEmailTo(local, body.host.email);
    expect(email.subject).toBe('Your recording "E2E meeting" is ready (partial)');
    await new Promise((resolve) => setTimeout(resolve, 2 * RECONCILE_INTERVAL_MS));
    expect(await emailsTo(local, body.host.email)).toHaveLength(1);

    const again = await client.POST('/v1/recordings', { body: { ...body, meetingTitle: 'again' } });
    expect(again.response.status).toBe(202);
    await client.POST('/v1/recordings/{id}/stop', { params: { path: { id: again.data!.id } } });
  });
});
