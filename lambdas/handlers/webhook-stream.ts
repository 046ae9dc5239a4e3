import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { logger, tracer } from '../observability.js';
import { deliveriesForStreamRecords } from '../webhooks/webhook-events.js';

const sqs = tracer.captureAWSv3Client(new SQSClient({}));
const queueUrl = process.env.WEBHOOK_QUEUE_URL ?? '';

/** Turns recording changes on the table's stream into webhook deliveries on the queue. */
async function onStream(event: DynamoDBStreamEvent) {
  const deliveries = deliveriesForStreamRecords(event.Records);
  for (let index = 0; index < deliveries.length; index += 10) {
    const batch = deliveries.slice(index, index + 10);
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((delivery, position) => ({
          Id: String(position),
          MessageBody: JSON.stringify(delivery),
        })),
      }),
    );
    if (result.Failed?.length) throw new Error(`Could not queue ${result.Failed.length} webhook deliveries`);
  }
  logger.info('Webhook deliveries queued', { count: deliveries.length });
}

export const handler = middy(onStream).use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer));
