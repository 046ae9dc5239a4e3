import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Clients configured only by the environment test/support/emulators-setup.ts exported. */
export const dynamo = new DynamoDBClient({});
export const documents = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true },
});
export const s3 = new S3Client({});

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: is test/support/emulators-setup.ts the globalSetup?`);
  return value;
}

export const tableName = (): string => requireEnv('TABLE_NAME');
export const bucketName = (): string => requireEnv('BUCKET_NAME');
