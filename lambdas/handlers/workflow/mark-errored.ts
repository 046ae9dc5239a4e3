import { IllegalTransitionError } from '../../domain/errors.js';
import { recordingErrorFor } from '../../domain/recording-errors.js';
import { logger, metrics } from '../../observability.js';
import { storeFromEnv } from '../../recordings/service-from-env.js';
import { StepInputSchema } from '../../workflow/step-inputs.js';
import { workflowHandler } from '../../workflow/workflow-handler.js';

const store = storeFromEnv();

/**
 * Nothing usable was recorded: say so on the recording and free the meeting. The client sees a fixed
 * message per code; what Step Functions said (its Cause) goes to the log only.
 */
export const handler = workflowHandler(StepInputSchema, async (input) => {
  const failure = input.failure;
  // NoteLaunchDelay gave up: the recorder never started.
  const launchFailed = input.launchDelay?.retry === false ? input.launchDelay.error : undefined;
  const error = launchFailed ?? recordingErrorFor(failure?.Error);
  logger.error('Recording errored', { code: error.code, failure, launchDelay: input.launchDelay });
  try {
    const before = await store.get(input.recordingId);
    const recording = await store.transition(input.recordingId, 'ERRORED', {
      error,
      stoppedAt: before?.stoppedAt ?? new Date().toISOString(),
      stopReason: before?.stopReason ?? 'recorder_failed',
    });
    metrics.addMetric('RecordingsErrored', 'Count', 1);
    return { recordingId: recording.id, status: recording.status, error };
  } catch (caught) {
    if (!(caught instanceof IllegalTransitionError)) throw caught;
    const current = await store.get(input.recordingId);
    return { recordingId: input.recordingId, status: current?.status ?? 'MISSING', error };
  }
});
