import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { buildArchive } from '../archives/build-archive.js';
import { s3 } from '../clients.js';
import { env } from '../config.js';
import { logger, tracer } from '../observability.js';
import { archiveStoreFromEnv, storeFromEnv } from '../recordings/service-from-env.js';

const archives = archiveStoreFromEnv();
const recordings = storeFromEnv();

/**
 * Builds each archive written PENDING (the event source's filter passes only those). A failed build is
 * reported as the batch's failure, so the event source retries it; then it goes to the failure queue,
 * and the archive shows FAILED once its build deadline passes.
 */
async function onStream(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    const image = unmarshall((record.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>);
    if (image.type !== 'archive' || image.status !== 'PENDING') continue;
    try {
      const outcome = await buildArchive(
        { id: image.id as string, generation: image.generation as string },
        { archives, recordings, s3, bucket: env('BUCKET_NAME') },
      );
      logger.info('Archive build', { archiveId: image.id, outcome });
    } catch (error) {
      logger.error('Archive build failed', { archiveId: image.id, error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

export const handler = middy(onStream).use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer));
