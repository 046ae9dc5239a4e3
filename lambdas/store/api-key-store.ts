import { createHash, randomBytes } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';

/** Keys look like `mr_live_<43 url-safe chars>`: recognisable in a leak scan, 256 bits of entropy. */
const KEY_PREFIX = 'mr_live_';
const KEY_PATTERN = /^mr_live_[A-Za-z0-9_-]{43}$/;

export interface ApiKeyRecord {
  keyId: string;
  clientId: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const keyItemKey = (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' });

/** Client API keys, stored only as SHA-256 hashes; the key itself is shown once, at creation. */
export class ApiKeyStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores a key; `key` is generated unless given (local mode seeds known keys). */
  async create(input: {
    clientId: string;
    name: string;
    key?: string;
  }): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = input.key ?? `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const createdAt = new Date().toISOString();
    const record: ApiKeyRecord = {
      keyId: `key_${ulid()}`,
      clientId: input.clientId,
      name: input.name,
      createdAt,
      revokedAt: null,
    };
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keyItemKey(hashApiKey(key)),
          type: 'apikey',
          gsi2pk: 'APIKEYS',
          gsi2sk: `${createdAt}#${record.keyId}`,
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { key, record };
  }

  /** The client a key belongs to, or undefined for an unknown or revoked key. */
  async authenticate(key: string): Promise<string | undefined> {
    if (key.length > 256) return undefined;
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keyItemKey(hashApiKey(key)) }),
    );
    if (typeof Item?.clientId !== 'string' || Item.revokedAt) return undefined;
    return Item.clientId as string;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byClient',
          KeyConditionExpression: 'gsi2pk = :keys',
          ExpressionAttributeValues: { ':keys': 'APIKEYS' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        records.push({
          keyId: item.keyId,
          clientId: item.clientId,
          name: item.name,
          createdAt: item.createdAt,
          revokedAt: item.revokedAt ?? null,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  /** Revokes by key id; answers false when no such key exists. */
  async revoke(keyId: string): Promise<boolean> {
    const match = (await this.list()).find((record) => record.keyId === keyId);
    if (!match) return false;
    const { Items } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byClient',
        KeyConditionExpression: 'gsi2pk = :keys AND gsi2sk = :sk',
        ExpressionAttributeValues: { ':keys': 'APIKEYS', ':sk': `${match.createdAt}#${keyId}` },
      }),
    );
    const item = Items?.[0];
    if (!item) return false;
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
    return true;
  }
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}
