import type { DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { WEBHOOK_FUNCTION_TIMEOUT_SECONDS } from '../../lambdas/webhooks/delivery-timing.js';
import { lambdaContext } from '../api/lambda-context.js';
import { lazyHandler } from '../lazy-handler.js';
import { type DeadLetter, type LocalQueue, startLocalQueue } from './sqs-queue.js';
import { type StreamPoller, startStreamPoller } from './stream-poller.js';

export interface LocalWebhooksOptions {
  readonly tableName: string;
  /** The delivery queue's port; 0 picks a free one. */
  readonly port: number;
  /** Deliveries per event before it is dead-lettered. */
  readonly maxAttempts: number;
  readonly log?: (line: string) => void;
}

export interface LocalWebhooks {
  /** For AWS_ENDPOINT_URL_SQS. */
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  /** The deliveries that the dead-letter queue holds. */
  readonly deadLetters: readonly DeadLetter[];
  stop(): Promise<void>;
}

/** Lambda's SQS event source starts with five concurrent batches. */
const DELIVER_CONCURRENCY = 5;

/**
 * Webhooks as deployed: the table's stream (recording items only) into `webhook-stream`, which queues
 * deliveries, and the queue into `webhook-deliver`. Sets AWS_ENDPOINT_URL_SQS and WEBHOOK_QUEUE_URL in
 * process.env before the handlers are loaded, since they read them at load.
 */
export async function startLocalWebhooks(options: LocalWebhooksOptions): Promise<LocalWebhooks> {
  const deliver = lazyHandler<SQSEvent, SQSBatchResponse>('webhook-deliver');
  const queue: LocalQueue = await startLocalQueue({
    port: options.port,
    name: 'webhook-deliveries',
    // As deployed: six times the function's timeout, which the queue enforces on each invocation.
    visibilityTimeoutSeconds: WEBHOOK_FUNCTION_TIMEOUT_SECONDS * 6,
    maxReceiveCount: options.maxAttempts,
    consumerTimeoutMs: WEBHOOK_FUNCTION_TIMEOUT_SECONDS * 1000,
    concurrency: DELIVER_CONCURRENCY,
    consumer: async (event) =>
      (await deliver())(
        event,
        lambdaContext('local-webhook-deliver', WEBHOOK_FUNCTION_TIMEOUT_SECONDS * 1000),
      ),
    ...(options.log ? { log: options.log } : {}),
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: queue.endpoint,
    WEBHOOK_QUEUE_URL: queue.queueUrl,
    WEBHOOK_MAX_ATTEMPTS: String(options.maxAttempts),
  });
  const stream = lazyHandler<DynamoDBStreamEvent, DynamoDBBatchResponse | undefined>('webhook-stream');
  let poller: StreamPoller;
  try {
    poller = await startStreamPoller({
      tableName: options.tableName,
      filter: (record) => record.dynamodb?.Keys?.sk?.S === 'REC',
      consumer: async (event) => (await stream())(event, lambdaContext('local-webhook-stream', 60_000)),
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (error) {
    await queue.stop();
    throw error;
  }
  return {
    sqsEndpoint: queue.endpoint,
    queueUrl: queue.queueUrl,
    deadLetters: queue.deadLetters,
    stop: async () => {
      await poller.stop();
      await queue.stop();
    },
  };
}
