import { createHash } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { bucketName, documents, s3, tableName } from '../../support/aws.js';

/**
 * A digest of everything the API can change: every item of the table (strongly consistent scan) and every
 * object of the bucket. Meant for a table and a bucket that one test file owns (createOwnResources).
 */
export async function stateDigest(): Promise<{ digest: string; items: number; objects: number }> {
  const items: string[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: tableName(), ConsistentRead: true, ExclusiveStartKey }),
    );
    for (const item of page.Items ?? []) items.push(canonical(item));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const objects: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucketName(), ContinuationToken }));
    for (const object of page.Contents ?? []) objects.push(`${object.Key}\u0000${object.ETag}`);
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  items.sort();
  objects.sort();
  const digest = createHash('sha256')
    .update(JSON.stringify([items, objects]))
    .digest('hex');
  return { digest, items: items.length, objects: objects.length };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Set) return `set(${[...value].map(canonical).sort().join(',')})`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
