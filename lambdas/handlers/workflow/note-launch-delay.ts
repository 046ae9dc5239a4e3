import { env } from '../../config.js';
import { metrics } from '../../observability.js';
import { storeFromEnv } from '../../recordings/service-from-env.js';
import { DEFAULT_LAUNCH_POLICY, noteLaunchDelay } from '../../workflow/launch-delay.js';
import { StepInputSchema } from '../../workflow/step-inputs.js';
import { StepError, workflowHandler } from '../../workflow/workflow-handler.js';

const store = storeFromEnv();

/** RunRecorder could not launch the recorder: note why on the recording and answer whether to try again. */
export const handler = workflowHandler(StepInputSchema, async (input) => {
  if (!input.launchFailure) throw new StepError('LaunchFailureMissing', 'No launch failure to note.');
  const decision = await noteLaunchDelay(
    {
      store,
      policy: { ...DEFAULT_LAUNCH_POLICY, windowSeconds: env('LAUNCH_RETRY_WINDOW_SECONDS') },
    },
    input.recordingId,
    input.launchFailure,
  );
  metrics.addMetric(decision.retry ? 'LaunchRetries' : 'LaunchesGivenUp', 'Count', 1);
  return decision;
});
