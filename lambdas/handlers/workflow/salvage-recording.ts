import { s3 } from '../../clients.js';
import { env } from '../../config.js';
import type { RecorderReport } from '../../domain/recorder-report.js';
import type { StopReason } from '../../domain/recording.js';
import { logger, metrics } from '../../observability.js';
import { storeFromEnv } from '../../recordings/service-from-env.js';
import { salvageObject } from '../../workflow/salvage.js';
import { StepInputSchema } from '../../workflow/step-inputs.js';
import { StepError, workflowHandler } from '../../workflow/workflow-handler.js';

const store = storeFromEnv();

/** After the recorder failed, timed out or went silent: keep whatever reached S3 as a partial file. */
export const handler = workflowHandler(StepInputSchema, async (input) => {
  const recording = await store.get(input.recordingId);
  if (!recording) throw new StepError('RecordingMissing', `No recording ${input.recordingId}`);
  const salvaged = await salvageObject(s3, env('BUCKET_NAME'), input.objectKey);
  logger.info('Salvage finished', { failure: input.failure, salvaged });
  if (!salvaged) return { salvaged: false };
  metrics.addMetric('RecordingsSalvaged', 'Count', 1);
  const startedAt = Date.parse(recording.startedAt ?? recording.createdAt);
  const stopReason: StopReason =
    recording.stopReason ?? (recording.stopRequestedAt ? 'requested' : 'recorder_failed');
  const report: RecorderReport = {
    objectKey: input.objectKey,
    sizeBytes: salvaged.sizeBytes,
    durationSeconds: Math.max(0, Math.round((salvaged.lastWrittenAt.getTime() - startedAt) / 100) / 10),
    partial: true,
    stopReason,
  };
  return { salvaged: true, report };
});
