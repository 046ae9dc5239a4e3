import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IndexName } from './table-schema.js';

export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'Query';

/**
 * One statement on the table's items (never Scan, never table management). `leadingKeys` narrows it to
 * items whose partition key matches, e.g. `APIKEY#*`; `indexes` adds those index ARNs (for Query).
 */
export function tableStatement(
  table: dynamodb.ITable,
  actions: readonly ItemAction[],
  options: { leadingKeys?: readonly string[]; indexes?: readonly IndexName[] } = {},
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: actions.map((action) => `dynamodb:${action}`),
    resources: [
      table.tableArn,
      ...(options.indexes ?? []).map((index) => `${table.tableArn}/index/${index}`),
    ],
    ...(options.leadingKeys
      ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...options.leadingKeys] } } }
      : {}),
  });
}
