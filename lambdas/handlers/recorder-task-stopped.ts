import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { sfn } from '../clients.js';
import { logger, metrics, tracer } from '../observability.js';
import { storeFromEnv } from '../recordings/service-from-env.js';
import {
  type EcsTaskStateChange,
  reportStoppedTask,
  sfnTaskFailer,
  stoppedRecorderTask,
} from '../recovery/task-stopped.js';

const store = storeFromEnv();
const failTask = sfnTaskFailer(sfn);

/** An ECS task of the recorder cluster stopped: fail its workflow task at once if it never reported. */
async function onTaskStopped(event: EventBridgeEvent<'ECS Task State Change', EcsTaskStateChange>) {
  const task = stoppedRecorderTask(event.detail);
  if (!task) return { outcome: 'ignored', reason: 'not-a-recorder-stop' };
  logger.appendKeys({ recordingId: task.recordingId });
  const result = await reportStoppedTask(
    { statusOf: async (id) => (await store.get(id))?.status, failTask },
    task,
  );
  logger.info('Recorder task stopped', { cause: task.cause, ...result });
  if (result.outcome === 'failed-task') metrics.addMetric('RecorderTasksStoppedEarly', 'Count', 1);
  return result;
}

export const handler = middy(onTaskStopped)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
