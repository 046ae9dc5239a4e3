import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { RecordingStore } from '../../lambdas/store/recording-store.js';
import { bucketName, s3 } from './aws.js';
import { uploadedRecording } from './recordings.js';

let seeded = 0;

/** An UPLOADED recording of its own meeting and host in the table, its file in S3, written as the workflow does. */
export async function seedUploaded(
  store: RecordingStore,
  overrides: Parameters<typeof uploadedRecording>[0] = {},
  uploadPatch: Parameters<RecordingStore['transition']>[2] = {},
) {
  seeded += 1;
  const id =
    `rec_01JDX8M8Y1T5Q6N${process.pid.toString(32).toUpperCase().padStart(5, '0').slice(-5)}${String(seeded).padStart(6, '0')}`.replace(
      /[ILOU]/g,
      'X',
    );
  const recording = uploadedRecording({
    id,
    status: 'INVOKED',
    meetingId: `m-${id}`,
    host: { email: `${id.toLowerCase()}@example.com`, name: 'Ada' },
    objectKey: `recordings/acme/m-${id}/${id}/Weekly sync.mp4`,
    expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    ...overrides,
  });
  await store.create(recording);
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: recording.objectKey, Body: 'the video' }));
  await store.transition(id, 'RECORDING');
  await store.transition(id, 'UPLOADED', { file: recording.file, ...uploadPatch });
  return recording;
}
