import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { ObjectDeletedEvent } from '../../lambdas/recordings/object-expiry.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { expiryTime, startLocalLifecycle } from '../../local/lifecycle.js';
import { bucketName, documents, s3, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';
import { uniqueClientId } from '../support/table.js';

const DAY_MS = 86_400_000;

async function put(key: string) {
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: key, Body: 'video' }));
}
const exists = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: bucketName(), Key: key })).then(
    () => true,
    () => false,
  );

describe('local lifecycle rule', () => {
  it('expires at the first midnight UTC after the retention, as S3 does', () => {
    expect(expiryTime(new Date('2026-12-07T01:02:03Z'), 30).toISOString()).toBe('2027-01-07T00:00:00.000Z');
    expect(expiryTime(new Date('2026-12-07T00:00:00Z'), 1).toISOString()).toBe('2026-12-08T00:00:00.000Z');
  });

  it('deletes only recording files past their expiry and sends each the lifecycle event once', async () => {
    const prefix = `recordings/${uniqueClientId()}/`;
    const key = `${prefix}m/rec_01JDX8M8Y1T5Q6N0W2Z3C4ABCD/Weekly sync 100%.mp4`;
    const other = `elsewhere/${prefix}x.txt`;
    await put(key);
    await put(other);
    const events: ObjectDeletedEvent[] = [];
    let now = new Date();
    const lifecycle = startLocalLifecycle({
      bucketName: bucketName(),
      retentionDays: 2,
      prefix,
      intervalMs: 0,
      clock: () => now,
      handler: async (event) => {
        events.push(event);
      },
    });
    try {
      expect(await lifecycle.run()).toEqual({ expired: [], undelivered: 0 });
      now = new Date(Date.now() + 3 * DAY_MS);
      const run = await lifecycle.run();
      expect(run.expired).toEqual([key]);
      expect(await exists(key)).toBe(false);
      expect(await exists(other)).toBe(true);
      expect(events).toEqual([
        {
          source: 'aws.s3',
          'detail-type': 'Object Deleted',
          time: now.toISOString(),
          detail: {
            bucket: { name: bucketName() },
            object: { key },
            reason: 'Lifecycle Expiration',
            'deletion-type': 'Permanently Deleted',
            requester: 's3.amazonaws.com',
          },
        },
      ]);
      await lifecycle.run();
      expect(events).toHaveLength(1);
    } finally {
      await lifecycle.stop();
    }
  });

  it('sends an event again on the next run when the handler failed, as EventBridge retries', async () => {
    const prefix = `recordings/${uniqueClientId()}/`;
    const key = `${prefix}m/rec_01JDX8M8Y1T5Q6N0W2Z3C4RTRY/x.mp4`;
    await put(key);
    const lines: string[] = [];
    let failures = 1;
    const delivered: string[] = [];
    const lifecycle = startLocalLifecycle({
      bucketName: bucketName(),
      retentionDays: 1,
      prefix,
      intervalMs: 0,
      clock: () => new Date(Date.now() + 2 * DAY_MS),
      handler: async (event) => {
        if (event.detail.object.key === key && failures-- > 0) throw new Error('throttled');
        delivered.push(event.detail.object.key);
      },
      log: (line) => lines.push(line),
    });
    try {
      const first = await lifecycle.run();
      expect(first.expired).toEqual([key]);
      expect(first.undelivered).toBe(1);
      expect(lines.some((line) => line.includes(key) && line.includes('throttled'))).toBe(true);
      expect(delivered).not.toContain(key);
      expect((await lifecycle.run()).undelivered).toBe(0);
      expect(delivered).toContain(key);
    } finally {
      await lifecycle.stop();
    }
  });

  it('runs the deployed handler by default: the recording becomes DELETED', async () => {
    const store = new DynamoRecordingStore(documents, tableName());
    const id = 'rec_01JDX8M8Y1T5Q6N0W2Z3C4DFMT';
    const clientId = uniqueClientId();
    const recording = uploadedRecording({
      id,
      clientId,
      meetingId: 'lifecycle-default',
      status: 'INVOKED',
      objectKey: `recordings/${clientId}/lifecycle-default/${id}/Weekly sync.mp4`,
    });
    await store.create(recording);
    await store.transition(id, 'RECORDING');
    await store.transition(id, 'UPLOADED');
    await put(recording.objectKey);
    const lifecycle = startLocalLifecycle({
      bucketName: bucketName(),
      retentionDays: 30,
      prefix: `recordings/${clientId}/`,
      intervalMs: 0,
      clock: () => new Date(Date.now() + 31 * DAY_MS),
    });
    try {
      const run = await lifecycle.run();
      expect(run.expired).toEqual([recording.objectKey]);
      expect(run.undelivered).toBe(0);
      expect((await store.get(id))?.status).toBe('DELETED');
    } finally {
      await lifecycle.stop();
    }
  });

  it('runs by itself every interval', async () => {
    const prefix = `recordings/${uniqueClientId()}/`;
    const key = `${prefix}m/rec_01JDX8M8Y1T5Q6N0W2Z3C4TMER/x.mp4`;
    await put(key);
    const delivered: string[] = [];
    const lifecycle = startLocalLifecycle({
      bucketName: bucketName(),
      retentionDays: 1,
      prefix,
      intervalMs: 200,
      clock: () => new Date(Date.now() + 2 * DAY_MS),
      handler: async (event) => {
        delivered.push(event.detail.object.key);
      },
    });
    try {
      await expect.poll(() => delivered.includes(key), { timeout: 10_000 }).toBe(true);
    } finally {
      await lifecycle.stop();
    }
  });
});
