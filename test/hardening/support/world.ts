import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { RecordingStatus } from '../../../lambdas/domain/recording.js';
import { DynamoRecordingStore } from '../../../lambdas/store/dynamo-recording-store.js';
import { startBody } from '../../support/api-env.js';
import { bucketName, documents, s3, tableName } from '../../support/aws.js';
import { send } from './http-client.js';

export const store = (): DynamoRecordingStore => new DynamoRecordingStore(documents, tableName());

let meetingCounter = 0;
export const uniqueMeetingId = (prefix = 'm'): string => `${prefix}-${process.pid}-${meetingCounter++}`;

export function jsonRequest(method: string, target: string, key: string | undefined, body?: unknown) {
  return {
    method,
    target,
    headers: [
      ...(key ? [['authorization', `Bearer ${key}`] as const] : []),
      ...(body !== undefined ? [['content-type', 'application/json'] as const] : []),
    ],
    ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}),
  };
}

/** Starts a recording through the API and returns its id; fails the test on anything but 202. */
export async function startRecording(url: string, key: string, overrides: Record<string, unknown> = {}) {
  const answer = await send(
    url,
    jsonRequest('POST', '/v1/recordings', key, startBody({ meetingId: uniqueMeetingId(), ...overrides })),
  );
  if (answer.status !== 202) throw new Error(`start answered ${answer.status}: ${answer.body.toString()}`);
  return JSON.parse(answer.body.toString()).id as string;
}

const PATHS: Record<Exclude<RecordingStatus, 'INVOKED'>, RecordingStatus[]> = {
  RECORDING: ['RECORDING'],
  UPLOADING: ['RECORDING', 'UPLOADING'],
  UPLOADED: ['RECORDING', 'UPLOADING', 'UPLOADED'],
  ERRORED: ['ERRORED'],
  DELETED: ['RECORDING', 'UPLOADING', 'UPLOADED', 'DELETED'],
};

/**
 * A recording of `key`'s client driven to `status` the way the recorder and the workflow do it (the store's
 * conditional transitions), with a file in S3 once it is UPLOADED.
 */
export async function recordingIn(url: string, key: string, status: RecordingStatus): Promise<string> {
  const id = await startRecording(url, key);
  if (status === 'INVOKED') return id;
  const recordings = store();
  const now = () => new Date().toISOString();
  for (const step of PATHS[status]) {
    if (step === 'RECORDING') await recordings.transition(id, step, { startedAt: now() });
    if (step === 'UPLOADING')
      await recordings.transition(id, step, { stoppedAt: now(), stopReason: 'requested' });
    if (step === 'UPLOADED') {
      const { objectKey } = (await recordings.get(id))!;
      await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: objectKey, Body: 'video bytes' }));
      await recordings.transition(id, step, { uploadedAt: now() });
    }
    if (step === 'ERRORED')
      await recordings.transition(id, step, { error: { code: 'Recorder.Crashed', message: 'test' } });
    if (step === 'DELETED') await recordings.transition(id, step);
  }
  return id;
}
