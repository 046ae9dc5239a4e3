import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingsClient } from '../../client/src/index.js';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, emailsTo, startBody, startTestLocalMode, waitForRecording } from './local-mode.js';

/**
 * A real recorder in local mode while one emulator goes away and comes back: S3 for 15 s mid-recording,
 * DynamoDB Local restarted mid-recording, SES down when the email is due. Each must end UPLOADED and
 * whole, with one email, and lose none of the meeting: the file lasts as long as the recording did.
 */
let local: LocalMode;
let client: RecordingsClient;
beforeAll(async () => {
  local = await startTestLocalMode({
    // Small parts, so that uploads are due while S3 is away.
    recorderEnv: { UPLOAD_PART_BYTES: String(64 * 1024) },
  });
  client = clientFor(local);
});
afterAll(() => local?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startRecording() {
  const body = startBody(local, { meetingTitle: 'Outage meeting' });
  const started = await client.POST('/v1/recordings', { body });
  expect(started.response.status).toBe(202);
  const { id } = started.data!;
  await waitForRecording(client, id, (recording) => recording.status === 'RECORDING');
  return { id, host: body.host.email };
}

async function stopRecording(id: string) {
  const stopped = await client.POST('/v1/recordings/{id}/stop', { params: { path: { id } }, body: {} });
  expect(stopped.response.status).toBe(202);
}

/** The recording is whole: UPLOADED, not partial, emailed once, and its file as long as the recording. */
async function expectNothingLost(id: string, host: string) {
  const done = await waitForRecording(client, id, (recording) => recording.email !== null);
  expect(done).toMatchObject({ status: 'UPLOADED', stopReason: 'requested', partial: false, error: null });
  const recordedSeconds = (Date.parse(String(done.stoppedAt)) - Date.parse(String(done.startedAt))) / 1000;
  const fileSeconds = done.file!.durationSeconds;
  const lostSeconds = recordedSeconds - fileSeconds;
  console.log(
    `${id}: recorded ${recordedSeconds.toFixed(1)} s, file ${fileSeconds} s, lost ${lostSeconds.toFixed(1)} s`,
  );
  expect(Math.abs(lostSeconds)).toBeLessThan(1.5);
  const emails = await emailsTo(local, host);
  expect(emails.map((mail) => mail.subject)).toEqual(['Your recording "Outage meeting" is ready']);
  return done;
}

describe('an emulator going away while a real recorder records', () => {
  it('S3 down for 15 s mid-recording: the parts wait and go up when it is back, nothing lost', async () => {
    const { id, host } = await startRecording();
    await sleep(5_000);
    const bringBack = await local.takeDown('s3');
    // A part of 64 KiB is due about every 1.5 s: about ten wait for S3 to come back.
    await expect(fetch(local.endpoints.s3)).rejects.toThrow();
    await sleep(15_000);
    await bringBack();
    await sleep(5_000);
    await stopRecording(id);
    const done = await expectNothingLost(id, host);
    expect(done.file!.durationSeconds).toBeGreaterThan(24);
  });

  it('DynamoDB Local restarted mid-recording: the API answers 503 meanwhile, the recording goes on', async () => {
    const { id, host } = await startRecording();
    await sleep(3_000);
    const bringBack = await local.takeDown('dynamodb');
    const during = await client.GET('/v1/recordings/{id}', { params: { path: { id } } });
    expect(during.response.status).toBe(503);
    expect(during.error).toEqual({
      error: { code: 'unavailable', message: 'The service is busy; retry shortly.' },
    });
    await sleep(5_000);
    await bringBack();
    expect((await client.GET('/v1/recordings/{id}', { params: { path: { id } } })).data?.status).toBe(
      'RECORDING',
    );
    await sleep(3_000);
    await stopRecording(id);
    await expectNothingLost(id, host);
  });

  it('SES down when the email is due: the workflow retries and the host gets one email when it is back', async () => {
    const { id, host } = await startRecording();
    await sleep(5_000);
    const bringBack = await local.takeDown('ses');
    await stopRecording(id);
    const uploaded = await waitForRecording(client, id, (recording) => recording.status === 'UPLOADED');
    expect(uploaded.email).toBeNull();
    await sleep(10_000);
    expect((await client.GET('/v1/recordings/{id}', { params: { path: { id } } })).data?.email).toBeNull();
    await bringBack();
    // The workflow's next retry sends it: expectNothingLost waits for the recording's email.
    await expectNothingLost(id, host);
  });
});
