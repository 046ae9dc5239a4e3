import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { documents } from '../clients.js';
import { env } from '../config.js';
import { logger, metrics, tracer } from '../observability.js';
import { deliverBatch } from '../webhooks/deliver-batch.js';
import { deliverWebhook } from '../webhooks/deliver-webhook.js';
import { WEBHOOK_SQS_REQUEST_TIMEOUT_MS } from '../webhooks/delivery-timing.js';
import { WebhookSettingsStore } from '../webhooks/webhook-settings.js';

export { retryDelaySeconds } from '../webhooks/delivery-timing.js';

const settingsStore = new WebhookSettingsStore(documents, env('TABLE_NAME'));
const sqs = tracer.captureAWSv3Client(
  new SQSClient({
    requestHandler: {
      connectionTimeout: WEBHOOK_SQS_REQUEST_TIMEOUT_MS,
      requestTimeout: WEBHOOK_SQS_REQUEST_TIMEOUT_MS,
    },
  }),
);
const queueUrl = process.env.WEBHOOK_QUEUE_URL ?? '';

/**
 * Posts each queued event to its client's endpoint, all at once. Failures go back to the queue (partial
 * batch response) with a growing delay, then land in the dead-letter queue.
 */
async function onMessages(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return deliverBatch(event.Records, context.getRemainingTimeInMillis(), {
    settings: (clientId) => settingsStore.get(clientId),
    deliver: (settings, webhookEvent, timeoutMs) =>
      deliverWebhook(settings, webhookEvent, new Date(), timeoutMs),
    delay: async (receiptHandle, seconds) => {
      await sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: seconds,
          }),
        )
        .catch((error: unknown) => logger.warn('Could not delay the retry', { error }));
    },
    onDelivered: () => metrics.addMetric('WebhooksDelivered', 'Count', 1),
    onFailed: ({ messageId, attempt, delivery }, error) => {
      logger.warn('Webhook delivery failed', { error, messageId, eventId: delivery?.event?.id, attempt });
      metrics.addMetric('WebhookFailures', 'Count', 1);
    },
  });
}

export const handler = middy(onMessages)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
