import { ses } from '../../clients.js';
import { env } from '../../config.js';
import { logger, metrics } from '../../observability.js';
import { linkIssuerFromEnv, storeFromEnv } from '../../recordings/service-from-env.js';
import { remindHost } from '../../workflow/remind-host.js';
import { StepInputSchema } from '../../workflow/step-inputs.js';
import { workflowHandler } from '../../workflow/workflow-handler.js';

const store = storeFromEnv();

export const handler = workflowHandler(StepInputSchema, async (input) => {
  const outcome = await remindHost(
    {
      store,
      ses,
      links: linkIssuerFromEnv(),
      settings: { senderEmail: env('SENDER_EMAIL'), configurationSet: env('SES_CONFIGURATION_SET') },
    },
    input.recordingId,
  );
  logger.info('Link reminder', { outcome });
  if (outcome === 'sent') metrics.addMetric('RemindersSent', 'Count', 1);
  return { recordingId: input.recordingId, outcome };
});
