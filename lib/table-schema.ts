/**
 * The one description of the recordings table, used by the CDK storage construct and by local mode
 * (which creates the same table in DynamoDB Local). See docs/internals.md for the item layout.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  indexes: {
    byMeeting: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    byClient: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** Sparse: only meeting locks carry its keys, and a lock exists exactly while its recording is live. */
    byLive: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  },
} as const;

export type IndexName = keyof typeof TABLE_SCHEMA.indexes;
