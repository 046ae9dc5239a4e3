import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { documents, sfn } from '../clients.js';
import { env } from '../config.js';
import { IllegalTransitionError } from '../domain/errors.js';
import { recordingError } from '../domain/recording-errors.js';
import { logger, metrics, tracer } from '../observability.js';
import { FINALISE_GRACE_SECONDS, storeFromEnv } from '../recordings/service-from-env.js';
import { RECONCILE_DEFAULTS, reconcile } from '../recovery/reconcile.js';
import { sfnExecutions } from '../recovery/sfn-executions.js';
import { LiveLocks } from '../store/live-locks.js';

const store = storeFromEnv();
const locks = new LiveLocks(documents, env('TABLE_NAME'));
const settings = { ...RECONCILE_DEFAULTS, finaliseGraceSeconds: FINALISE_GRACE_SECONDS };

/** On a schedule: every live recording whose workflow is gone or overdue is driven to its end. */
async function onSchedule() {
  const { outcomes, failed } = await reconcile(
    {
      locks: () => locks.list(),
      releaseLock: (lock) => locks.release(lock),
      recording: (id) => store.get(id),
      ...sfnExecutions(sfn, env('STATE_MACHINE_ARN')),
      markErrored: async (recording, message) => {
        logger.error('Recovery failed', { recordingId: recording.id, message });
        try {
          await store.transition(recording.id, 'ERRORED', {
            error: recordingError('recovery_failed'),
            stoppedAt: recording.stoppedAt ?? new Date().toISOString(),
            stopReason: recording.stopReason ?? 'recorder_failed',
          });
        } catch (error) {
          if (!(error instanceof IllegalTransitionError)) throw error;
        }
      },
      log: (message, fields) => logger.info(message, fields),
    },
    settings,
  );
  const acted = Object.values(outcomes).filter((outcome) => outcome !== 'leave').length;
  if (acted > 0) metrics.addMetric('RecordingsReconciled', 'Count', acted);
  if (failed > 0) throw new Error(`Reconcile failed for ${failed} recording(s); see the log`);
  return { outcomes };
}

export const handler = middy(onSchedule)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
