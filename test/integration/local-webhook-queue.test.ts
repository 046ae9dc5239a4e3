import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalQueue, startLocalQueue } from '../../local/webhooks/sqs-queue.js';

let queue: LocalQueue | undefined;
afterEach(() => queue?.stop());

async function start(consumer: (event: SQSEvent) => Promise<SQSBatchResponse>, maxReceiveCount = 3) {
  const log: string[] = [];
  queue = await startLocalQueue({
    port: 0,
    name: 'test-queue',
    visibilityTimeoutSeconds: 1,
    maxReceiveCount,
    consumer,
    log: (line) => log.push(line),
  });
  return { queue, log, sqs: new SQSClient({ endpoint: queue.endpoint }) };
}

describe('local delivery queue', () => {
  it('hands messages sent with the SDK to the consumer in batches of at most 10', async () => {
    const batches: string[][] = [];
    const { queue, sqs } = await start(async (event) => {
      batches.push(event.Records.map((record) => record.body));
      return { batchItemFailures: [] };
    });
    const bodies = Array.from({ length: 12 }, (_, index) => `m${index}`);
    for (const chunk of [bodies.slice(0, 10), bodies.slice(10)]) {
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.queueUrl,
          Entries: chunk.map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
      expect(result.Successful).toHaveLength(chunk.length);
    }
    await expect.poll(() => batches.flat().sort()).toEqual([...bodies].sort());
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(10);
  });

  it('redelivers failed items after their visibility timeout, with the receive count, then dead-letters them', async () => {
    const attempts: string[] = [];
    const { queue, sqs, log } = await start(async (event) => {
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        attempts.push(`${record.body}#${record.attributes.ApproximateReceiveCount}`);
        if (record.body === 'flaky' && record.attributes.ApproximateReceiveCount === '1') {
          await sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queue.queueUrl,
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: 0,
            }),
          );
          failures.push({ itemIdentifier: record.messageId });
        }
        if (record.body === 'broken') failures.push({ itemIdentifier: record.messageId });
      }
      return { batchItemFailures: failures };
    });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'flaky' },
          { Id: 'b', MessageBody: 'broken' },
        ],
      }),
    );
    await expect
      .poll(() => log.some((line) => line.includes('dead-lettered after 3')), { timeout: 8_000 })
      .toBe(true);
    expect(attempts.filter((attempt) => attempt.startsWith('flaky'))).toEqual(['flaky#1', 'flaky#2']);
    expect(attempts.filter((attempt) => attempt.startsWith('broken'))).toEqual([
      'broken#1',
      'broken#2',
      'broken#3',
    ]);
  });
});
