import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  expireRecording,
  lifecycleExpirationEvent,
  recordingIdOfKey,
} from '../../lambdas/recordings/object-expiry.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import type { RecordingStore } from '../../lambdas/store/recording-store.js';
import { bucketName, documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';

const context = {
  functionName: 'expired',
  awsRequestId: '1',
  getRemainingTimeInMillis: () => 3000,
} as Context;

const ID = 'rec_01JDX8M8Y1T5Q6N0W2Z3C4EXPD';

describe('lifecycle expiry', () => {
  it('finds the recording id in an object key, URL-encoded or not', () => {
    expect(recordingIdOfKey(`recordings/acme/weekly/${ID}/Weekly+sync-2026.mp4`)).toBe(ID);
    expect(recordingIdOfKey(`recordings/acme/weekly/${ID}/Weekly sync 100% done.mp4`)).toBe(ID);
    expect(recordingIdOfKey(`recordings/acme/weekly%3Async/${ID}/Weekly%20sync.mp4`)).toBe(ID);
    expect(recordingIdOfKey('logs/whatever')).toBeUndefined();
    expect(recordingIdOfKey('recordings/acme/weekly/not-an-id/file.mp4')).toBeUndefined();
    expect(recordingIdOfKey(`recordings/acme/weekly/${ID}`)).toBeUndefined();
  });

  it('marks an uploaded recording DELETED when its file expires, and ignores repeats', async () => {
    const store = new DynamoRecordingStore(documents, tableName());
    const recording = uploadedRecording({
      id: ID,
      meetingId: 'expiring',
      status: 'INVOKED',
      objectKey: `recordings/acme/expiring/${ID}/Weekly sync-2026-11-23T09-41-05Z.mp4`,
    });
    await store.create(recording);
    await store.transition(recording.id, 'RECORDING');
    await store.transition(recording.id, 'UPLOADED');
    const { handler } = await import('../../lambdas/handlers/object-expired.js');
    const event = lifecycleExpirationEvent(bucketName(), recording.objectKey, new Date());
    expect(await handler(event, context)).toEqual({ outcome: 'deleted' });
    expect(await handler(event, context)).toEqual({ outcome: 'unchanged' });
    expect((await store.get(recording.id))?.status).toBe('DELETED');
  });

  it('leaves a live recording, an unknown one and deletions that are not lifecycle expirations alone', async () => {
    const store = new DynamoRecordingStore(documents, tableName());
    const live = uploadedRecording({
      id: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4AAVE',
      meetingId: 'expiring-live',
      status: 'INVOKED',
      objectKey: 'recordings/acme/expiring-live/rec_01JDX8M8Y1T5Q6N0W2Z3C4AAVE/x.mp4',
    });
    await store.create(live);
    const expired = (key: string) =>
      expireRecording(store, lifecycleExpirationEvent(bucketName(), key, new Date()));
    expect(await expired(live.objectKey)).toBe('unchanged');
    expect((await store.get(live.id))?.status).toBe('INVOKED');
    expect(await expired('recordings/acme/gone/rec_01JDX8M8Y1T5Q6N0W2Z3C4NXNE/x.mp4')).toBe('unchanged');
    expect(await expired('access-logs/2026-12-07')).toBe('ignored');
    const deletedByApi = lifecycleExpirationEvent(bucketName(), live.objectKey, new Date());
    expect(
      await expireRecording(store, {
        ...deletedByApi,
        detail: { ...deletedByApi.detail, reason: 'DeleteObject' },
      }),
    ).toBe('ignored');
  });

  it('fails on a store error, so that EventBridge retries the event', async () => {
    const failing = {
      transition: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
      },
    } as unknown as RecordingStore;
    await expect(
      expireRecording(
        failing,
        lifecycleExpirationEvent('bucket', `recordings/acme/m/${ID}/x.mp4`, new Date()),
      ),
    ).rejects.toThrow('Rate exceeded');
  });
});
