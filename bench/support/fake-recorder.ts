/**
 * A recorder without a browser for bench/thousand-recordings.ts: the real recorder's reporter
 * (recorder-container/src/reporter.ts) goes through the same steps the real one takes (RECORDING, a file in
 * S3, the stop request read from DynamoDB, UPLOADING, the success report), with a few bytes instead of a
 * video. Same environment contract as the recorder; stops itself after FAKE_MAX_SECONDS.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createReporter } from '../../recorder-container/src/reporter.js';

const env = process.env;
const reporter = createReporter({
  tableName: env.TABLE_NAME,
  taskToken: env.TASK_TOKEN,
  recordingId: env.RECORDING_ID ?? '',
});
const startedAtMs = Date.now();
await reporter.recording(new Date(startedAtMs).toISOString(), env.TASK_ARN);
const body = Buffer.from(`fake recording ${env.RECORDING_ID}\n`);
const s3 = new S3Client({ forcePathStyle: true });
await s3.send(new PutObjectCommand({ Bucket: env.BUCKET_NAME, Key: env.OBJECT_KEY, Body: body }));
s3.destroy();

const maxMs = Number(env.FAKE_MAX_SECONDS ?? 120) * 1000;
let reason: 'requested' | 'max_duration' = 'max_duration';
while (Date.now() - startedAtMs < maxMs) {
  if (await reporter.stopRequested()) {
    reason = 'requested';
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, Number(env.FAKE_POLL_MS ?? 250)));
}
const durationSeconds = (Date.now() - startedAtMs) / 1000;
await reporter.uploading(new Date().toISOString(), reason, false);
await reporter.succeeded({
  objectKey: env.OBJECT_KEY ?? '',
  sizeBytes: body.length,
  durationSeconds,
  partial: false,
  stopReason: reason,
  file: { videoCodec: 'h264', audioCodec: 'aac', width: 1280, height: 720 },
  checks: { blackVideo: false, silentAudio: false },
});
