import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalQueue, type LocalQueueOptions, startLocalQueue } from '../../local/webhooks/sqs-queue.js';

let queue: LocalQueue | undefined;
afterEach(() => queue?.stop());

async function start(
  consumer: (event: SQSEvent) => Promise<SQSBatchResponse>,
  maxReceiveCount = 3,
  extra: Partial<LocalQueueOptions> = {},
) {
  const log: string[] = [];
  queue = await startLocalQueue({
    port: 0,
    name: 'test-queue',
    visibilityTimeoutSeconds: 1,
    maxReceiveCount,
    consumer,
    ...extra,
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
    expect(queue.deadLetters.map((letter) => [letter.body, letter.receiveCount])).toEqual([['broken', 3]]);
  });

  it('counts an invocation past the function timeout as a failure of its whole batch, as Lambda does', async () => {
    const receives: string[] = [];
    const { queue, sqs } = await start(
      async (event) => {
        for (const record of event.Records)
          receives.push(`${record.body}#${record.attributes.ApproximateReceiveCount}`);
        // Never answers: the queue must give up at the function timeout.
        if (event.Records.some((record) => record.attributes.ApproximateReceiveCount === '1'))
          await new Promise(() => {});
        return { batchItemFailures: [] };
      },
      3,
      { consumerTimeoutMs: 300 },
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    await expect.poll(() => receives.length, { timeout: 8_000 }).toBe(4);
    expect(receives.sort()).toEqual(['one#1', 'one#2', 'two#1', 'two#2']);
    expect(queue.deadLetters).toEqual([]);
  });

  it('runs several batches at once, so a batch that hangs holds back no other', async () => {
    const seen: string[] = [];
    const { queue, sqs } = await start(
      async (event) => {
        for (const record of event.Records) seen.push(record.body);
        if (event.Records.some((record) => record.body === 'stuck')) await new Promise(() => {});
        return { batchItemFailures: [] };
      },
      3,
      { concurrency: 2, consumerTimeoutMs: 5_000, visibilityTimeoutSeconds: 60 },
    );
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queue.queueUrl, Entries: [{ Id: 'a', MessageBody: 'stuck' }] }),
    );
    await expect.poll(() => seen).toEqual(['stuck']);
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queue.queueUrl, Entries: [{ Id: 'b', MessageBody: 'next' }] }),
    );
    await expect.poll(() => seen).toEqual(['stuck', 'next']);
  });
});
