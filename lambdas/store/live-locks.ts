import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../../lib/table-schema.js';
import { LIVE_INDEX_KEY } from './dynamo-recording-store.js';

/** A meeting lock: the meeting is held by this recording until it leaves the live states. */
export interface LiveLock {
  /** The lock item's own key (`LOCK#<clientId>#<meetingId>`, `LOCK`). */
  readonly key: { readonly pk: string; readonly sk: string };
  readonly recordingId: string;
  /** When the recording was created. */
  readonly createdAt: string;
}

/** The meeting locks through the sparse byLive index: what the reconciler checks against the recordings. */
export class LiveLocks {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every lock, oldest recording first (the index is eventually consistent: a lock may lag by a second). */
  async list(): Promise<LiveLock[]> {
    const locks: LiveLock[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byLive',
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_SCHEMA.indexes.byLive.partitionKey },
          ExpressionAttributeValues: { ':pk': LIVE_INDEX_KEY },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const lock = lockOf(item);
        if (lock) locks.push(lock);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return locks;
  }

  /** Deletes the lock if this recording still holds it; answers whether it did. */
  async release(lock: LiveLock): Promise<boolean> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: lock.key,
          ConditionExpression: 'recordingId = :id',
          ExpressionAttributeValues: { ':id': lock.recordingId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function lockOf(item: Record<string, unknown>): LiveLock | undefined {
  const { pk, sk, recordingId } = item;
  if (typeof pk !== 'string' || typeof sk !== 'string' || typeof recordingId !== 'string') return undefined;
  const sortKey = String(item[TABLE_SCHEMA.indexes.byLive.sortKey] ?? '');
  return { key: { pk, sk }, recordingId, createdAt: sortKey.slice(0, sortKey.lastIndexOf('#')) };
}
