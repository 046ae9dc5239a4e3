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
  const error = {
    code: 'email_failed',
    message: `The host could not be emailed: ${(cause?.Cause ?? cause?.Error ?? 'unknown error').slice(0, 400)}`,
  };
  logger.error('Host email failed permanently', { cause });
  metrics.addMetric('EmailFailures', 'Count', 1);
  const recording = await store.update(input.recordingId, { error }, ['UPLOADED']);
  return { recordingId: recording.id, error };
});
