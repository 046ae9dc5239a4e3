import { recordingError } from '../../domain/recording-errors.js';
import { logger, metrics } from '../../observability.js';
import { storeFromEnv } from '../../recordings/service-from-env.js';
import { StepInputSchema } from '../../workflow/step-inputs.js';
import { workflowHandler } from '../../workflow/workflow-handler.js';

const store = storeFromEnv();

/**
 * The email could not be sent after every retry. The recording stays UPLOADED (the file is fine, and a
 * link can still be asked for through the API); the failure is written on it and counted for the alarm.
 */
export const handler = workflowHandler(StepInputSchema, async (input) => {
  const cause = input.emailFailure ?? input.failure;
  const error = recordingError('email_failed');
  logger.error('Host email failed permanently', { cause });
  metrics.addMetric('EmailFailures', 'Count', 1);
  const recording = await store.update(input.recordingId, { error }, ['UPLOADED']);
  return { recordingId: recording.id, error };
});
