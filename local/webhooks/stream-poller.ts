import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  readonly tableName: string;
  /** The Lambda behind the event source. */
  readonly consumer: StreamConsumer;
  /** The event source's filter, on the Lambda-shaped record. */
  readonly filter?: (record: DynamoDBRecord) => boolean;
  readonly batchSize?: number;
  /** Attempts per batch before it is dropped (the event source's retryAttempts + 1). */
  readonly maxAttempts?: number;
  readonly log?: (line: string) => void;
}

export interface StreamPoller {
  stop(): Promise<void>;
}

/**
 * A DynamoDB stream event source against DynamoDB Local: reads every shard from LATEST (shards that
 * appear later from their start), hands filtered batches to the consumer, retries the failed part of a
 * batch (partial batch responses), and drops it after `maxAttempts`.
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const log = options.log ?? (() => {});
  const dynamodb = new DynamoDBClient({});
  const streams = new DynamoDBStreamsClient({});
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  dynamodb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);

  const iterators = new Map<string, string | undefined>();
  const discover = async (initial: boolean) => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      if (initial && closed) {
        iterators.set(shard.ShardId, undefined);
        continue;
      }
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: initial ? 'LATEST' : 'TRIM_HORIZON',
        }),
      );
      iterators.set(shard.ShardId, ShardIterator);
    }
  };
  await discover(true);

  const deliver = async (records: DynamoDBRecord[]) => {
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      try {
        const response = await options.consumer({ Records: pending });
        const firstFailed = response?.batchItemFailures?.[0]?.itemIdentifier;
        if (!firstFailed) return;
        pending = pending.slice(
          Math.max(
            0,
            pending.findIndex((r) => r.dynamodb?.SequenceNumber === firstFailed),
          ),
        );
      } catch (error) {
        log(`stream consumer failed (attempt ${attempt}): ${String(error)}`);
      }
      if (attempt >= (options.maxAttempts ?? 6)) {
        log(`stream batch of ${pending.length} records dropped after ${attempt} attempts`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  };

  let stopped = false;
  let lastDiscovery = Date.now();
  const poll = async () => {
    while (!stopped) {
      for (const [shardId, iterator] of iterators) {
        if (!iterator || stopped) continue;
        try {
          const page = await streams.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize ?? 100 }),
          );
          iterators.set(shardId, page.NextShardIterator);
          const records = (page.Records ?? []).map((record) => toLambdaRecord(record, streamArn));
          const wanted = options.filter ? records.filter(options.filter) : records;
          if (wanted.length > 0) await deliver(wanted);
        } catch (error) {
          log(`stream shard ${shardId}: ${String(error)}`);
        }
      }
      if (Date.now() - lastDiscovery > 5_000) {
        lastDiscovery = Date.now();
        await discover(false).catch((error: unknown) => log(`stream discovery: ${String(error)}`));
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const polling = poll();
  return {
    stop: async () => {
      stopped = true;
      await polling;
      streams.destroy();
    },
  };
}

/** A stream record as Lambda's DynamoDB event source passes it. */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(record.dynamodb as DynamoDBRecord['dynamodb']),
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
  } as DynamoDBRecord;
}
