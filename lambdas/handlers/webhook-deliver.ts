import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { documents } from '../clients.js';
import { env } from '../config.js';
import { logger, metrics, tracer } from '../observability.js';
import { deliverWebhook } from '../webhooks/deliver-webhook.js';
import type { WebhookDelivery } from '../webhooks/webhook-events.js';
import { WebhookSettingsStore } from '../webhooks/webhook-settings.js';

const settingsStore = new WebhookSettingsStore(documents, env('TABLE_NAME'));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));
const queueUrl = process.env.WEBHOOK_QUEUE_URL ?? '';

/** Exponential backoff between attempts: 10 s, 20 s, 40 s … capped at 15 minutes. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(900, 10 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Posts each queued event to its client's endpoint. Failures go back to the queue (partial batch
 * response) and are retried with the queue's backoff, then land in the dead-letter queue.
 */
async function onMessages(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    const delivery = JSON.parse(message.body) as WebhookDelivery;
    const settings = await settingsStore.get(delivery.clientId);
    if (!settings) continue;
    try {
      await deliverWebhook(settings, delivery.event);
      metrics.addMetric('WebhooksDelivered', 'Count', 1);
    } catch (error) {
      logger.warn('Webhook delivery failed', {
        error,
        eventId: delivery.event.id,
        attempt: message.attributes.ApproximateReceiveCount,
      });
      metrics.addMetric('WebhookFailures', 'Count', 1);
      batchItemFailures.push({ itemIdentifier: message.messageId });
      const attempt = Number(message.attributes.ApproximateReceiveCount) || 1;
      await sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.receiptHandle,
            VisibilityTimeout: retryDelaySeconds(attempt),
          }),
        )
        .catch((visibilityError: unknown) =>
          logger.warn('Could not delay the retry', { error: visibilityError }),
        );
    }
  }
  return { batchItemFailures };
}

export const handler = middy(onMessages)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
