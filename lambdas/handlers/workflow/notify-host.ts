import { ses } from '../../clients.js';
import { env } from '../../config.js';
import { metrics } from '../../observability.js';
import { linkIssuerFromEnv, storeFromEnv } from '../../recordings/service-from-env.js';
import { notifyHost } from '../../workflow/notify-host.js';
import { reminderDueAt } from '../../workflow/remind-host.js';
import { StepInputSchema } from '../../workflow/step-inputs.js';
import { workflowHandler } from '../../workflow/workflow-handler.js';

const store = storeFromEnv();

export const handler = workflowHandler(StepInputSchema, async (input) => {
  const recording = await notifyHost(
    {
      store,
      ses,
      links: linkIssuerFromEnv(),
      settings: {
        senderEmail: env('SENDER_EMAIL'),
        configurationSet: env('SES_CONFIGURATION_SET'),
        linkTtlSeconds: env('LINK_TTL_SECONDS'),
      },
    },
    input.recordingId,
  );
  metrics.addMetric('EmailsSent', 'Count', 1);
  const remindAt =
    recording.email &&
    reminderDueAt(recording.email.linkExpiresAt, recording.email.sentAt, env('LINK_REMINDER_SECONDS'));
  return { recordingId: recording.id, email: recording.email, ...(remindAt ? { remindAt } : {}) };
});
