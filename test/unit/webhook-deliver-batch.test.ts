import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type DeliverBatchDeps, deliverBatch } from '../../lambdas/webhooks/deliver-batch.js';
import {
  WEBHOOK_DELIVERY_TIMEOUT_MS,
  WEBHOOK_RETURN_RESERVE_MS,
} from '../../lambdas/webhooks/delivery-timing.js';

const record = (messageId: string, clientId: string, receiveCount = '1', body?: string): SQSRecord =>
  ({
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: body ?? JSON.stringify({ clientId, event: { id: `evt_${messageId}`, type: 'recording.started' } }),
    attributes: { ApproximateReceiveCount: receiveCount },
  }) as unknown as SQSRecord;

/** Fake endpoints by client: `ok` answers, `down` fails, `none` has no webhook, `broken` settings fail. */
function deps(overrides: Partial<DeliverBatchDeps> = {}) {
  const calls = {
    lookups: [] as string[],
    delivered: [] as string[],
    timeouts: [] as number[],
    delays: [] as Array<[string, number]>,
    failed: [] as Array<{ messageId: string; attempt: number; eventId?: string }>,
  };
  const value: DeliverBatchDeps = {
    settings: async (clientId) => {
      calls.lookups.push(clientId);
      if (clientId === 'broken') throw new Error('throttled');
      return clientId === 'none' ? undefined : { url: `https://${clientId}.example/hooks`, secret: 's' };
    },
    deliver: async (settings, event, timeoutMs) => {
      calls.timeouts.push(timeoutMs);
      if (settings.url.includes('down')) throw new Error('no answer');
      calls.delivered.push(event.id);
    },
    delay: async (receiptHandle, seconds) => {
      calls.delays.push([receiptHandle, seconds]);
    },
    onDelivered: () => {},
    onFailed: ({ messageId, attempt, delivery }) => {
      calls.failed.push({ messageId, attempt, ...(delivery ? { eventId: delivery.event.id } : {}) });
    },
    ...overrides,
  };
  return { deps: value, calls };
}

describe('deliverBatch', () => {
  it('returns only the failed messages, each delayed by its own attempt, and delivers the rest', async () => {
    const { deps: batchDeps, calls } = deps();
    const result = await deliverBatch(
      [record('a', 'down', '1'), record('b', 'ok'), record('c', 'down', '3'), record('d', 'none')],
      60_000,
      batchDeps,
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'c' }] });
    expect(calls.delivered).toEqual(['evt_b']);
    expect(calls.delays).toEqual([
      ['handle-a', 10],
      ['handle-c', 40],
    ]);
    expect(calls.failed).toEqual([
      { messageId: 'a', attempt: 1, eventId: 'evt_a' },
      { messageId: 'c', attempt: 3, eventId: 'evt_c' },
    ]);
    // One settings lookup per client and batch.
    expect(calls.lookups.sort()).toEqual(['down', 'none', 'ok']);
  });

  it('runs the deliveries at once: one that never answers does not hold back the others', async () => {
    const started: string[] = [];
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { deps: batchDeps } = deps({
      deliver: async (settings, event) => {
        started.push(event.id);
        if (settings.url.includes('down')) await blocked;
        if (started.length === 3) release();
      },
    });
    await deliverBatch([record('a', 'down'), record('b', 'down'), record('c', 'ok')], 60_000, batchDeps);
    expect(started).toEqual(['evt_a', 'evt_b', 'evt_c']);
  });

  it('keeps each delivery inside the time the invocation has left', async () => {
    const { deps: batchDeps, calls } = deps();
    await deliverBatch([record('a', 'ok')], 60_000, batchDeps);
    await deliverBatch([record('b', 'ok')], WEBHOOK_RETURN_RESERVE_MS + 2_000, batchDeps);
    await deliverBatch([record('c', 'ok')], 10, batchDeps);
    expect(calls.timeouts).toEqual([WEBHOOK_DELIVERY_TIMEOUT_MS, 2_000, 1]);
  });

  it('returns a message whose settings cannot be read, or that is not a delivery, without failing the batch', async () => {
    const { deps: batchDeps, calls } = deps();
    const result = await deliverBatch(
      [record('a', 'broken'), record('b', 'ok'), record('c', 'ok', '2', 'not json')],
      60_000,
      batchDeps,
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'c' }] });
    expect(calls.delivered).toEqual(['evt_b']);
    expect(calls.failed).toEqual(
      expect.arrayContaining([
        { messageId: 'a', attempt: 1, eventId: 'evt_a' },
        { messageId: 'c', attempt: 2 },
      ]),
    );
  });
});
