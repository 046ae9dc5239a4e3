import { s3 } from '../../clients.js';
import { env } from '../../config.js';
import { IllegalTransitionError } from '../../domain/errors.js';
import { CONTENT_TYPES } from '../../domain/recording.js';
import { metrics } from '../../observability.js';
import { storeFromEnv } from '../../recordings/service-from-env.js';
import { headObject } from '../../workflow/salvage.js';
import { StepInputSchema } from '../../workflow/step-inputs.js';
import { StepError, workflowHandler } from '../../workflow/workflow-handler.js';

const store = storeFromEnv();

/** Checks the file is really in S3, then records UPLOADED with its facts. A second run changes nothing. */
export const handler = workflowHandler(StepInputSchema, async (input) => {
  const report = input.recorder;
  if (!report) throw new StepError('ReportMissing', 'The recorder sent no report.');
  const recording = await store.get(input.recordingId);
  if (!recording) throw new StepError('RecordingMissing', `No recording ${input.recordingId}`);
  if (recording.status === 'UPLOADED') return { recordingId: recording.id, status: recording.status };

  const object = await headObject(s3, env('BUCKET_NAME'), recording.objectKey);
  if (!object || object.sizeBytes === 0) {
    throw new StepError(
      'FileMissing',
      `No file at ${recording.objectKey} although the recorder reported one.`,
    );
  }
  const now = new Date().toISOString();
  try {
    const updated = await store.transition(recording.id, 'UPLOADED', {
      uploadedAt: now,
      stoppedAt: recording.stoppedAt ?? now,
      stopReason: recording.stopReason ?? report.stopReason,
      partial: recording.partial || report.partial,
      durationSeconds: report.durationSeconds,
      file: {
        name: recording.objectKey.split('/').pop() ?? recording.objectKey,
        sizeBytes: object.sizeBytes,
        contentType: CONTENT_TYPES[recording.format],
        durationSeconds: report.durationSeconds,
        videoCodec: report.file?.videoCodec ?? null,
        audioCodec: report.file?.audioCodec ?? null,
        width: report.file?.width ?? null,
        height: report.file?.height ?? null,
      },
    });
    metrics.addMetric('RecordingsUploaded', 'Count', 1);
    if (updated.partial) metrics.addMetric('PartialRecordings', 'Count', 1);
    return { recordingId: updated.id, status: updated.status };
  } catch (error) {
    if (!(error instanceof IllegalTransitionError)) throw error;
    const current = await store.get(recording.id);
    if (current?.status === 'UPLOADED') return { recordingId: current.id, status: current.status };
    throw new StepError('IllegalTransition', `Recording is ${current?.status}; cannot become UPLOADED.`);
  }
});
