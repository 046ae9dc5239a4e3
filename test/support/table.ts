import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from './aws.js';

/**
 * Deletes every item of the table. Test files run in parallel against the same table, so prefer
 * `uniqueClientId()` for isolation; reset only where a test needs an empty table and runs alone.
 */
export async function resetTable(TableName: string = tableName()): Promise<void> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName, ProjectionExpression: 'pk, sk', ExclusiveStartKey }),
    );
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      while (requests.length > 0) {
        const result = await documents.send(
          new BatchWriteCommand({ RequestItems: { [TableName]: requests } }),
        );
        requests = (result.UnprocessedItems?.[TableName] ?? []) as typeof requests;
      }
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/** A client id no other test uses: the API isolates clients, so tests sharing the table stay apart. */
export function uniqueClientId(prefix = 'client'): string {
  return `${prefix}-${randomUUID()}`;
}
