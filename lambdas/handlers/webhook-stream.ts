import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { Recording } from '../domain/recording.js';
import { logger, tracer } from '../observability.js';
import { webhookEventsFor } from '../webhooks/webhook-events.js';

const sqs = tracer.captureAWSv3Client(new SQSClient({}));
const queueUrl = process.env.WEBHOOK_QUEUE_URL ?? '';

function recordingImage(image: Record<string, unknown> | undefined): Recording | undefined {
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  return item.type === 'recording' ? (item as unknown as Recording) : undefined;
}

/** Turns recording changes on the table's stream into webhook deliveries on the queue. */
async function onStream(event: DynamoDBStreamEvent) {
  const deliveries = event.Records.flatMap((record) =>
    webhookEventsFor(
      recordingImage(record.dynamodb?.OldImage),
      recordingImage(record.dynamodb?.NewImage),
      new Date((record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString(),
    ),
  );
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
