import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { logger, tracer } from '../observability.js';
import { expireRecording, type ObjectDeletedEvent } from '../recordings/object-expiry.js';
import { storeFromEnv } from '../recordings/service-from-env.js';

const store = storeFromEnv();

/** EventBridge rule target: S3 "Object Deleted" events of the lifecycle rule, under recordings/. */
async function onObjectDeleted(event: ObjectDeletedEvent) {
  const outcome = await expireRecording(store, event);
  logger.info('Recording file expired', { key: event.detail.object.key, outcome });
  return { outcome };
}

export const handler = middy(onObjectDeleted)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
