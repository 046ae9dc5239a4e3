import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { Upload } from '@aws-sdk/lib-storage';
import { describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../local/emulators/table.js';
import { createApiKey } from '../support/api-keys.js';
import { bucketName, documents, dynamo, s3, tableName } from '../support/aws.js';
import { sentEmails, waitForEmail } from '../support/ses-store.js';
import { resetTable } from '../support/table.js';

describe('emulator harness', () => {
  it('exports the emulator environment to the workers and through inject', () => {
    const provided = inject('emulators');
    for (const [name, value] of Object.entries(provided.env)) expect(process.env[name]).toBe(value);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ENDPOINT_URL_S3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ENDPOINT_URL_SESV2).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates the table with its three indexes and TTL', async () => {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName() }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const indexes = Object.fromEntries(
      (Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.KeySchema]),
    );
    expect(indexes).toEqual({
      byMeeting: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      byClient: [
        { AttributeName: 'gsi2pk', KeyType: 'HASH' },
        { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
      ],
      byLive: [
        { AttributeName: 'gsi3pk', KeyType: 'HASH' },
        { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
      ],
    });
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: tableName() }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('runs conditional transactions (which dynalite could not)', async () => {
    const lock = { pk: `LOCK#${randomUUID()}#m`, sk: 'LOCK', recordingId: 'rec_1' };
    const putLock = () =>
      documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName(), Item: lock, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
    await putLock();
    await expect(putLock()).rejects.toMatchObject({ name: 'TransactionCanceledException' });
  });

  it('round-trips a streamed multipart upload byte for byte', async () => {
    const data = randomBytes(6 * 1024 * 1024 + 123);
    const Key = `harness/${randomUUID()}.bin`;
    await new Upload({
      client: s3,
      params: {
        Bucket: bucketName(),
        Key,
        Body: Readable.from([data.subarray(0, 3_000_000), data.subarray(3_000_000)]),
      },
      partSize: 5 * 1024 * 1024,
    }).done();
    const object = await s3.send(new GetObjectCommand({ Bucket: bucketName(), Key }));
    const stored = Buffer.from(await object.Body!.transformToByteArray());
    expect(stored.length).toBe(data.length);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
  });

  it('lists open multipart uploads and their parts, so an upload can be completed from them', async () => {
    const Bucket = bucketName();
    const prefix = `salvage/${randomUUID()}/`;
    const Key = `${prefix}file.mp4`;
    await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: `${prefix}other.mp4` }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const chunks = [randomBytes(70_000), randomBytes(1_000)];
    const etags: string[] = [];
    for (const [index, Body] of chunks.entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1, Body }),
      );
      etags.push(ETag!);
    }

    const { Uploads } = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }));
    expect(Uploads?.map((upload) => [upload.Key, upload.UploadId])).toEqual([[Key, UploadId]]);
    const { Parts } = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(Parts?.map((part) => [part.PartNumber, part.ETag, part.Size])).toEqual([
      [1, etags[0], 70_000],
      [2, etags[1], 1_000],
    ]);
    expect(Parts?.[0]?.LastModified).toBeInstanceOf(Date);

    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: Parts!.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
      }),
    );
    const object = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(Buffer.concat(chunks))).toBe(true);
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: prefix }));
    expect((after.Uploads ?? []).map((upload) => upload.Key)).toEqual([`${prefix}other.mp4`]);
  });

  it('keeps mail sent through SESv2 in the store', async () => {
    const to = `${randomUUID()}@example.com`;
    await new SESv2Client({}).send(
      new SendEmailCommand({
        FromEmailAddress: 'recorder@example.com',
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: 'Harness check' }, Body: { Text: { Data: 'hello' } } } },
      }),
    );
    const email = await waitForEmail((candidate) => candidate.destination.to.includes(to), {
      timeoutMs: 5_000,
    });
    expect(email).toMatchObject({ subject: 'Harness check', body: { text: 'hello' } });
    expect(await sentEmails({ to })).toHaveLength(1);
  });

  it('stores API keys the way the authorizer looks them up', async () => {
    const clientId = `client-${randomUUID()}`;
    const seeded = await createApiKey({ clientId, name: 'ci' });
    const hash = createHash('sha256').update(seeded.key).digest('hex');
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName(), Key: { pk: `APIKEY#${hash}`, sk: 'APIKEY' } }),
    );
    expect(Item).toMatchObject({ clientId, keyId: seeded.keyId, name: 'ci', gsi2pk: 'APIKEYS' });
    expect(Item?.gsi2sk).toBe(`${Item?.createdAt}#${seeded.keyId}`);
    const listed = await documents.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'byClient',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk = :sk',
        ExpressionAttributeValues: { ':pk': 'APIKEYS', ':sk': Item?.gsi2sk },
      }),
    );
    expect(listed.Items).toHaveLength(1);
  });

  it('empties a table', async () => {
    const TableName = `reset-${randomUUID()}`;
    await ensureTable(dynamo, TableName);
    for (let i = 0; i < 30; i += 1) {
      await documents.send(new PutCommand({ TableName, Item: { pk: `X#${i}`, sk: 'X' } }));
    }
    await resetTable(TableName);
    const { Count } = await documents.send(new ScanCommand({ TableName, Select: 'COUNT' }));
    expect(Count).toBe(0);
  });
});
