import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { IllegalTransitionError } from '../domain/errors.js';
import { logger, tracer } from '../observability.js';
import { storeFromEnv } from '../recordings/service-from-env.js';

const store = storeFromEnv();

/** `recordings/<client>/<meeting>/<recording id>/<file>` → the recording id. */
export function recordingIdOfKey(key: string): string | undefined {
  const segments = decodeURIComponent(key.replace(/\+/g, ' ')).split('/');
  return segments[0] === 'recordings' && segments.length >= 5 && /^rec_/.test(segments[3] ?? '')
    ? segments[3]
    : undefined;
}

/** When the lifecycle rule expires a recording's file, the recording becomes DELETED, as the contract says. */
async function onExpired(event: S3Event) {
  for (const record of event.Records) {
    const id = recordingIdOfKey(record.s3.object.key);
    if (!id) continue;
    try {
      await store.transition(id, 'DELETED');
      logger.info('Recording expired', { recordingId: id });
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
    }
  }
}

export const handler = middy(onExpired).use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer));
