import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret, WebhookSettingsStore } from '../../lambdas/webhooks/webhook-settings.js';
import { documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';
import { uniqueClientId } from '../support/table.js';

// SQS has no emulator here: the queue is the one thing these tests replace.
const sqs = mockClient(SQSClient);
const context = {
  functionName: 'webhooks',
  awsRequestId: '1',
  getRemainingTimeInMillis: () => 30_000,
} as Context;
let server: Server;
let url: string;
let answer = 204;

beforeAll(async () => {
  Object.assign(process.env, {
    WEBHOOK_QUEUE_URL: 'https://sqs.local/queue',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(answer).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('webhook Lambda handlers', () => {
  it('queues the events of stream records, ignoring items that are not recordings', async () => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const { handler } = await import('../../lambdas/handlers/webhook-stream.js');
    const before = uploadedRecording({ status: 'INVOKED' });
    const after = { ...before, status: 'RECORDING' as const };
    const image = (value: object) => marshall(value, { removeUndefinedValues: true }) as never;
    await handler(
      {
        Records: [
          {
            dynamodb: {
              OldImage: image({ ...before, type: 'recording' }),
              NewImage: image({ ...after, type: 'recording' }),
            },
          },
          { dynamodb: { NewImage: image({ pk: 'LOCK#x', type: 'lock' }) } },
        ],
      } as never,
      context,
    );
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    const entries = calls[0]!.args[0].input.Entries ?? [];
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.MessageBody!)).toMatchObject({
      clientId: 'acme',
      event: { type: 'recording.started' },
    });
  });

  it('reports failed deliveries for retry with a growing delay, and succeeds the rest', async () => {
    sqs.reset();
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const clientId = uniqueClientId();
    await new WebhookSettingsStore(documents, tableName()).set(clientId, { url, secret: newWebhookSecret() });
    const { handler, retryDelaySeconds } = await import('../../lambdas/handlers/webhook-deliver.js');
    const message = (id: string, receiveCount: string) => ({
      messageId: id,
      receiptHandle: `handle-${id}`,
      body: JSON.stringify({
        clientId,
        event: { type: 'recording.started', id: `evt_${id}`, createdAt: new Date().toISOString(), data: {} },
      }),
      attributes: { ApproximateReceiveCount: receiveCount },
    });
    answer = 500;
    const failed = await handler({ Records: [message('a', '3')] } as never, context);
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input.VisibilityTimeout).toBe(40);
    answer = 204;
    expect(await handler({ Records: [message('b', '1')] } as never, context)).toEqual({
      batchItemFailures: [],
    });
    expect([1, 2, 3, 10].map(retryDelaySeconds)).toEqual([10, 20, 40, 900]);
  });
});
