/**
 * A recorder without a browser whose behaviour the meeting URL chooses (`?script=…`), for workflow tests
 * with the real handlers: the real recorder's reporter does the status writes and the task callbacks.
 *   duplicate-callback  records a few bytes, succeeds, then sends a second, late SendTaskSuccess
 *   crash-after-upload  uploads the file, then reports its own failure (the workflow salvages a partial file)
 *   nothing-recorded    reports its own failure without uploading anything (the recording ends ERRORED)
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createReporter } from '../../recorder-container/src/reporter.js';

const env = process.env;
const script = new URL(env.MEETING_URL ?? 'http://127.0.0.1/').searchParams.get('script');
const reporter = createReporter({
  tableName: env.TABLE_NAME,
  taskToken: env.TASK_TOKEN,
  recordingId: env.RECORDING_ID ?? '',
});
await reporter.recording(new Date().toISOString(), env.TASK_ARN);
if (script === 'nothing-recorded') {
  await reporter.failed('NothingRecorded', 'scripted: the encoder produced no complete fragment');
  process.exit(0);
}

const body = Buffer.from(`scripted recording ${env.RECORDING_ID}\n`);
const s3 = new S3Client({ forcePathStyle: true });
await s3.send(new PutObjectCommand({ Bucket: env.BUCKET_NAME, Key: env.OBJECT_KEY, Body: body }));
s3.destroy();
if (script === 'crash-after-upload') {
  await reporter.failed('EncoderFailed', 'scripted: the encoder crashed after the upload');
  process.exit(0);
}
await reporter.uploading(new Date().toISOString(), 'requested', false);
const report = {
  objectKey: env.OBJECT_KEY ?? '',
  sizeBytes: body.length,
  durationSeconds: 1,
  partial: false,
  stopReason: 'requested' as const,
  file: { videoCodec: 'h264', audioCodec: 'aac', width: 1280, height: 720 },
  checks: { blackVideo: false, silentAudio: false },
};
await reporter.succeeded(report);
if (script === 'duplicate-callback') {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // Step Functions refuses a token it already closed; the recorder's reporter logs that and goes on.
  await reporter.succeeded({ ...report, partial: true, durationSeconds: 99 }).catch(() => undefined);
}
