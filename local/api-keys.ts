import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

export interface ApiKeySpec {
  clientId: string;
  /** The secret the client sends as `Authorization: Bearer <key>`; random when absent. */
  key?: string;
  name?: string;
  keyId?: string;
  createdAt?: string;
  revokedAt?: string;
}

export interface SeededApiKey {
  readonly clientId: string;
  readonly key: string;
  readonly keyId: string;
}

export function newApiKey(): string {
  return `mrk_${randomBytes(24).toString('base64url')}`;
}

export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Writes an API key item as docs/internals.md lays it out (overwriting one with the same key). */
export async function putApiKey(
  documents: DynamoDBDocumentClient,
  tableName: string,
  spec: ApiKeySpec,
): Promise<SeededApiKey> {
  const key = spec.key ?? newApiKey();
  const keyId = spec.keyId ?? `key_${randomUUID()}`;
  const createdAt = spec.createdAt ?? new Date().toISOString();
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `APIKEY#${apiKeyHash(key)}`,
        sk: 'APIKEY',
        gsi2pk: 'APIKEYS',
        gsi2sk: `${createdAt}#${keyId}`,
        clientId: spec.clientId,
        keyId,
        name: spec.name ?? `${spec.clientId} key`,
        createdAt,
        ...(spec.revokedAt ? { revokedAt: spec.revokedAt } : {}),
      },
    }),
  );
  return { clientId: spec.clientId, key, keyId };
}
