import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../../lib/table-schema.js';
import { IllegalTransitionError, MeetingAlreadyRecordingError } from '../domain/errors.js';
import { ALLOWED_SOURCES, type Recording, type RecordingStatus } from '../domain/recording.js';
import {
  IdempotencyKeyInUseError,
  type IdempotencyRecord,
  type ListPage,
  type ListQuery,
  type RecordingPatch,
  type RecordingStore,
} from './recording-store.js';

const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export const recordingKey = (id: string) => ({ pk: `REC#${id}`, sk: 'REC' });
const lockKey = (clientId: string, meetingId: string) => ({
  pk: `LOCK#${clientId}#${meetingId}`,
  sk: 'LOCK',
});
const idempotencyKey = (clientId: string, key: string) => ({
  pk: `IDEM#${clientId}#${createHash('sha256').update(key).digest('hex')}`,
  sk: 'IDEM',
});
export const meetingIndexKey = (clientId: string, meetingId: string) => `MEETING#${clientId}#${meetingId}`;
export const clientIndexKey = (clientId: string) => `CLIENT#${clientId}`;
/** The one partition of the byLive index: every meeting lock, oldest recording first. */
export const LIVE_INDEX_KEY = 'LIVE';

/** Builds `SET #a = :a, ...` from an object, with names and values for an UpdateExpression. */
function setClause(fields: Record<string, unknown>, prefix = 'f') {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([field, value], index) => {
      names[`#${prefix}${index}`] = field;
      values[`:${prefix}${index}`] = value;
      return `#${prefix}${index} = :${prefix}${index}`;
    });
  return { parts, names, values };
}

function statusCondition(allowed: readonly RecordingStatus[]) {
  const values = Object.fromEntries(allowed.map((status, index) => [`:from${index}`, status]));
  return {
    expression: `attribute_exists(pk) AND #status IN (${Object.keys(values).join(', ')})`,
    values,
  };
}

const CONFLICT_ATTEMPTS = 5;

/** DynamoDB refused the write because another transaction was changing the same item at that moment. */
export function isTransactionConflict(error: unknown): boolean {
  return (
    error instanceof TransactionConflictException ||
    (error instanceof TransactionCanceledException &&
      (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict'))
  );
}

/**
 * Runs a write again, after a short random pause, while it meets another transaction in flight: the
 * other one finishes in milliseconds, and the retry then sees its outcome (the lock taken, the status
 * moved). A conflict that outlasts every attempt is rethrown, and the API answers it with 503.
 */
async function retryOnConflict<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      await sleep(Math.random() * 10 * 2 ** attempt);
    }
  }
}

/** Leaving the live states frees the meeting for its next recording. */
function releasesMeetingLock(to: RecordingStatus): boolean {
  return to === 'UPLOADED' || to === 'ERRORED';
}

function stripKeys(item: Record<string, unknown>): Recording & { taskArn?: string } {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1p,
    gsi1sk: _g1s,
    gsi2pk: _g2p,
    gsi2sk: _g2s,
    gsi3pk: _g3p,
    gsi3sk: _g3s,
    type: _type,
    ...rest
  } = item;
  return rest as unknown as Recording & { taskArn?: string };
}

export class DynamoRecordingStore implements RecordingStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(recording: Recording, idempotency?: IdempotencyRecord): Promise<void> {
    const TableName = this.tableName;
    const sortKey = `${recording.createdAt}#${recording.id}`;
    const items = [
      {
        Put: {
          TableName,
          Item: {
            ...recordingKey(recording.id),
            type: 'recording',
            gsi1pk: meetingIndexKey(recording.clientId, recording.meetingId),
            gsi1sk: sortKey,
            gsi2pk: clientIndexKey(recording.clientId),
            gsi2sk: sortKey,
            ...recording,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName,
          Item: {
            ...lockKey(recording.clientId, recording.meetingId),
            type: 'lock',
            recordingId: recording.id,
            gsi3pk: LIVE_INDEX_KEY,
            gsi3sk: sortKey,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
      ...(idempotency
        ? [
            {
              Put: {
                TableName,
                Item: {
                  ...idempotencyKey(recording.clientId, idempotency.key),
                  type: 'idempotency',
                  requestHash: idempotency.requestHash,
                  statusCode: idempotency.statusCode,
                  body: idempotency.body,
                  ttl: Math.floor(Date.parse(recording.createdAt) / 1000) + IDEMPOTENCY_TTL_SECONDS,
                },
                ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: { ':now': Math.floor(Date.parse(recording.createdAt) / 1000) },
              },
            },
          ]
        : []),
    ];
    try {
      await retryOnConflict(() => this.documents.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || isTransactionConflict(error)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[2]?.Code === 'ConditionalCheckFailed') throw new IdempotencyKeyInUseError();
      if (reasons[1]?.Code === 'ConditionalCheckFailed') {
        const holder = reasons[1].Item?.recordingId?.S;
        if (holder) throw new MeetingAlreadyRecordingError(holder);
        // The lock was released between the failed write and now: the caller may retry.
      }
      throw error;
    }
  }

  async discard(recording: Recording, idempotencyKeyValue?: string): Promise<void> {
    const TableName = this.tableName;
    await retryOnConflict(() =>
      this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName, Key: recordingKey(recording.id) } },
            {
              Delete: {
                TableName,
                Key: lockKey(recording.clientId, recording.meetingId),
                ConditionExpression: 'attribute_not_exists(pk) OR recordingId = :id',
                ExpressionAttributeValues: { ':id': recording.id },
              },
            },
            ...(idempotencyKeyValue
              ? [{ Delete: { TableName, Key: idempotencyKey(recording.clientId, idempotencyKeyValue) } }]
              : []),
          ],
        }),
      ),
    );
  }

  async claimReminder(id: string, at: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordingKey(id),
          UpdateExpression: 'SET reminderSentAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND #status = :uploaded AND (attribute_not_exists(reminderSentAt) OR reminderSentAt = :none)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':uploaded': 'UPLOADED', ':none': null },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseReminder(id: string, at: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: recordingKey(id),
        UpdateExpression: 'REMOVE reminderSentAt',
        ConditionExpression: 'reminderSentAt = :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async claimIdempotencyKey(
    clientId: string,
    key: string,
    requestHash: string,
    forSeconds: number,
  ): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...idempotencyKey(clientId, key),
            type: 'idempotency',
            requestHash,
            statusCode: 0,
            body: '',
            ttl: now + forSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async completeIdempotencyRecord(clientId: string, record: IdempotencyRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...idempotencyKey(clientId, record.key),
          type: 'idempotency',
          requestHash: record.requestHash,
          statusCode: record.statusCode,
          body: record.body,
          ttl: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: 'requestHash = :hash',
        ExpressionAttributeValues: { ':hash': record.requestHash },
      }),
    );
  }

  async releaseIdempotencyKey(clientId: string, key: string, requestHash: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: idempotencyKey(clientId, key),
        ConditionExpression: 'requestHash = :hash AND statusCode = :pending',
        ExpressionAttributeValues: { ':hash': requestHash, ':pending': 0 },
      }),
    );
  }

  async findIdempotencyRecord(clientId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: idempotencyKey(clientId, key), ConsistentRead: true }),
    );
    if (!Item || (typeof Item.ttl === 'number' && Item.ttl < Date.now() / 1000)) return undefined;
    return { key, requestHash: Item.requestHash, statusCode: Item.statusCode, body: Item.body };
  }

  async get(id: string): Promise<(Recording & { taskArn?: string }) | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: recordingKey(id), ConsistentRead: true }),
    );
    return Item?.type === 'recording' ? stripKeys(Item) : undefined;
  }

  async list(query: ListQuery): Promise<ListPage> {
    const index = query.meetingId ? 'byMeeting' : 'byClient';
    const { partitionKey } = TABLE_SCHEMA.indexes[index];
    const partition = query.meetingId
      ? meetingIndexKey(query.clientId, query.meetingId)
      : clientIndexKey(query.clientId);
    const items: Recording[] = [];
    let startKey = query.after;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey, ...(query.status ? { '#status': 'status' } : {}) },
          ExpressionAttributeValues: {
            ':pk': partition,
            ...(query.status ? { ':status': query.status } : {}),
          },
          ...(query.status ? { FilterExpression: '#status = :status' } : {}),
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []).map(stripKeys));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < query.limit);
    return { items, ...(startKey ? { lastKey: startKey } : {}) };
  }

  async transition(id: string, to: RecordingStatus, patch: RecordingPatch = {}): Promise<Recording> {
    const condition = statusCondition(ALLOWED_SOURCES[to]);
    const set = setClause(patch);
    const update = {
      TableName: this.tableName,
      Key: recordingKey(id),
      UpdateExpression: `SET ${['#status = :to', ...set.parts].join(', ')}`,
      ConditionExpression: condition.expression,
      ExpressionAttributeNames: { ...set.names, '#status': 'status' },
      ExpressionAttributeValues: { ...set.values, ...condition.values, ':to': to },
    };
    try {
      if (!releasesMeetingLock(to)) {
        const { Attributes } = await retryOnConflict(() =>
          this.documents.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' })),
        );
        return stripKeys(Attributes ?? {});
      }
      const current = await this.get(id);
      if (!current) throw new IllegalTransitionError(id, to);
      await retryOnConflict(() =>
        this.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: update },
              {
                Delete: {
                  TableName: this.tableName,
                  Key: lockKey(current.clientId, current.meetingId),
                  ConditionExpression: 'attribute_not_exists(pk) OR recordingId = :id',
                  ExpressionAttributeValues: { ':id': id },
                },
              },
            ],
          }),
        ),
      );
      const updated = await this.get(id);
      if (!updated) throw new IllegalTransitionError(id, to);
      return updated;
    } catch (error) {
      if (isTransactionConflict(error)) throw error;
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException) {
        throw new IllegalTransitionError(id, to);
      }
      throw error;
    }
  }

  async requestStop(id: string, at: string): Promise<{ recording: Recording; requested: boolean }> {
    try {
      const { Attributes } = await retryOnConflict(() =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: recordingKey(id),
            UpdateExpression: 'SET stopRequestedAt = :at',
            ConditionExpression:
              'attribute_exists(pk) AND #status IN (:invoked, :recording) AND (attribute_not_exists(stopRequestedAt) OR attribute_type(stopRequestedAt, :null))',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':at': at,
              ':invoked': 'INVOKED',
              ':recording': 'RECORDING',
              ':null': 'NULL',
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { recording: stripKeys(Attributes ?? {}), requested: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(id);
      if (!current) throw error;
      return { recording: current, requested: false };
    }
  }

  async update(id: string, patch: RecordingPatch, whileIn: readonly RecordingStatus[]): Promise<Recording> {
    const condition = statusCondition(whileIn);
    const set = setClause(patch);
    try {
      const { Attributes } = await retryOnConflict(() =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: recordingKey(id),
            UpdateExpression: `SET ${set.parts.join(', ')}`,
            ConditionExpression: condition.expression,
            ExpressionAttributeNames: { ...set.names, '#status': 'status' },
            ExpressionAttributeValues: { ...set.values, ...condition.values },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return stripKeys(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new IllegalTransitionError(id, 'update');
      throw error;
    }
  }
}
