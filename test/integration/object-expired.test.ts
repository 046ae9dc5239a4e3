import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { recordingIdOfKey } from '../../lambdas/handlers/object-expired.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';

const context = {
  functionName: 'expired',
  awsRequestId: '1',
  getRemainingTimeInMillis: () => 3000,
} as Context;

describe('lifecycle expiry', () => {
  it('finds the recording id in an (URL-encoded) object key', () => {
    expect(recordingIdOfKey('recordings/acme/weekly/rec_01ABC/Weekly+sync-2026.mp4')).toBe('rec_01ABC');
    expect(recordingIdOfKey('recordings/acme/weekly/rec_01ABC/Weekly%20sync.mp4')).toBe('rec_01ABC');
    expect(recordingIdOfKey('logs/whatever')).toBeUndefined();
    expect(recordingIdOfKey('recordings/acme/weekly/not-an-id/file.mp4')).toBeUndefined();
  });

  it('marks an uploaded recording DELETED when its file expires, and ignores repeats', async () => {
    const store = new DynamoRecordingStore(documents, tableName());
    const id = 'rec_01JDX8M8Y1T5Q6N0W2Z3C4EXPD';
    const recording = uploadedRecording({
      id,
      meetingId: 'expiring',
      status: 'INVOKED',
      objectKey: `recordings/acme/expiring/${id}/Weekly sync-2026-11-23T09-41-05Z.mp4`,
    });
    await store.create(recording);
    await store.transition(recording.id, 'RECORDING');
    await store.transition(recording.id, 'UPLOADED');
    const { handler } = await import('../../lambdas/handlers/object-expired.js');
    const event = { Records: [{ s3: { object: { key: encodeURI(recording.objectKey) } } }] };
    await handler(event as never, context);
    await handler(event as never, context);
    expect((await store.get(recording.id))?.status).toBe('DELETED');
  });
});
