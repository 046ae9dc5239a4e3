import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';

const context = {
  functionName: 'mark-errored',
  awsRequestId: '1',
  getRemainingTimeInMillis: () => 3000,
} as Context;

describe('MarkErrored', () => {
  it('writes ERRORED with the recorder failure as a snake_case code and its fixed message (not the Cause), frees the meeting, and ignores a repeat', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const store = new DynamoRecordingStore(documents, tableName());
    const id = 'rec_01JDX8M8Y1T5Q6N0W2Z3C4ERRD';
    const recording = uploadedRecording({
      id,
      meetingId: 'errored-meeting',
      status: 'INVOKED',
      stopReason: null,
      stoppedAt: null,
      objectKey: `recordings/acme/errored-meeting/${id}/x.mp4`,
    });
    await store.create(recording);
    await store.transition(id, 'RECORDING');
    const { handler } = await import('../../lambdas/handlers/workflow/mark-errored.js');
    const input = {
      recordingId: id,
      objectKey: recording.objectKey,
      failure: { Error: 'Recorder.MeetingUnreachable', Cause: 'The meeting page never loaded.' },
    };
    await handler(input, context);
    await handler(input, context);
    expect(await store.get(id)).toMatchObject({
      status: 'ERRORED',
      stopReason: 'recorder_failed',
      error: { code: 'meeting_unreachable', message: 'The meeting page could not be loaded.' },
    });
    // The meeting's lock went with the live state: the next recording of the meeting can start.
    await expect(
      store.create({ ...recording, id: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4NEXT' }),
    ).resolves.toBeUndefined();
  });
});
