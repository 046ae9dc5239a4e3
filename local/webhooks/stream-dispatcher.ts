import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deliverWebhook } from '../../lambdas/webhooks/deliver-webhook.js';
import { deliveriesForStreamRecords, type WebhookDelivery } from '../../lambdas/webhooks/webhook-events.js';
import { WebhookSettingsStore } from '../../lambdas/webhooks/webhook-settings.js';

export interface StreamDispatcherOptions {
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly pollIntervalMs?: number;
  /** Attempts per event before it goes to the dead letters (the deployed queue's maxReceiveCount). */
  readonly maxAttempts?: number;
  /** Delay before retry N (1-based); the deployed function doubles from 10 s, here from 1 s. */
  readonly retryDelayMs?: (attempt: number) => number;
  readonly log?: (message: string) => void;
}

export interface StreamDispatcher {
  /** Events that failed every attempt, as the deployed dead-letter queue would hold them. */
  readonly deadLetters: WebhookDelivery[];
  stop(): Promise<void>;
}

/**
 * Local mode's stand-in for the stream trigger and the delivery queue: it follows DynamoDB Local's
 * stream of the table, derives the events with the same code as the deployed stream handler, and posts
 * them with the same signer and delivery function, retrying with backoff in memory.
 */
export async function startStreamDispatcher(options: StreamDispatcherOptions): Promise<StreamDispatcher> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const dynamo = new DynamoDBClient({ endpoint: options.dynamodbEndpoint, region, credentials });
  const streams = new DynamoDBStreamsClient({ endpoint: options.dynamodbEndpoint, region, credentials });
  const settings = new WebhookSettingsStore(DynamoDBDocumentClient.from(dynamo), options.tableName);
  const maxAttempts = options.maxAttempts ?? 8;
  const retryDelayMs =
    options.retryDelayMs ?? ((attempt: number) => Math.min(60_000, 1000 * 2 ** (attempt - 1)));
  const log = options.log ?? (() => {});
  const deadLetters: WebhookDelivery[] = [];
  const pending = new Set<Promise<void>>();
  const stopping = new AbortController();

  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);

  async function deliver(delivery: WebhookDelivery): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts && !stopping.signal.aborted; attempt++) {
      const target = await settings.get(delivery.clientId);
      if (!target) return;
      try {
        await deliverWebhook(target, delivery.event);
        return;
      } catch (error) {
        log(
          `webhook ${delivery.event.type} ${delivery.event.id} attempt ${attempt} failed: ${(error as Error).message}`,
        );
        if (attempt < maxAttempts)
          await sleep(retryDelayMs(attempt), undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
    if (!stopping.signal.aborted) deadLetters.push(delivery);
  }

  function enqueue(delivery: WebhookDelivery): void {
    const task = deliver(delivery).finally(() => pending.delete(task));
    pending.add(task);
  }

  const iterators = new Map<string, string | undefined>();
  async function iteratorFor(shardId: string, type: ShardIteratorType): Promise<string | undefined> {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type }),
    );
    return ShardIterator;
  }

  async function discoverShards(initial: boolean): Promise<void> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      // Shards that existed at start are followed from now on; shards opened later, from their start.
      iterators.set(shard.ShardId, await iteratorFor(shard.ShardId, initial ? 'LATEST' : 'TRIM_HORIZON'));
    }
  }

  await discoverShards(true);
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await discoverShards(false);
        for (const [shardId, iterator] of iterators) {
          if (!iterator) continue;
          const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
          iterators.set(shardId, page.NextShardIterator);
          for (const delivery of deliveriesForStreamRecords(page.Records ?? [])) enqueue(delivery);
        }
      } catch (error) {
        log(`stream poll failed: ${(error as Error).message}`);
      }
      await sleep(options.pollIntervalMs ?? 250, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();

  return {
    deadLetters,
    async stop() {
      stopping.abort();
      await loop;
      await Promise.allSettled([...pending]);
      dynamo.destroy();
      streams.destroy();
    },
  };
}
