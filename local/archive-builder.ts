import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { ARCHIVE_SORT_KEY } from '../lambdas/archives/archive-store.js';
import { lambdaContext } from './api/lambda-context.js';
import { lazyHandler } from './lazy-handler.js';
import { type StreamPoller, startStreamPoller } from './webhooks/stream-poller.js';

/** The builder's timeout as deployed (lib/archives-construct.ts). */
const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * The archive builder as deployed: the table's stream, filtered to archive items written PENDING, into
 * `archive-build`, one record at a time, retried twice as the event source does.
 */
export function startLocalArchiveBuilder(options: {
  tableName: string;
  log?: (line: string) => void;
}): Promise<StreamPoller> {
  const build = lazyHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>('archive-build');
  return startStreamPoller({
    tableName: options.tableName,
    batchSize: 1,
    maxAttempts: 3,
    filter: (record) =>
      record.dynamodb?.Keys?.sk?.S === ARCHIVE_SORT_KEY && record.dynamodb.NewImage?.status?.S === 'PENDING',
    consumer: async (event) => (await build())(event, lambdaContext('local-archive-build', BUILD_TIMEOUT_MS)),
    ...(options.log ? { log: options.log } : {}),
  });
}
