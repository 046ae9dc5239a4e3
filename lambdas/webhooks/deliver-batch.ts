import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import {
  retryDelaySeconds,
  WEBHOOK_DELIVERY_TIMEOUT_MS,
  WEBHOOK_RETURN_RESERVE_MS,
} from './delivery-timing.js';
import type { WebhookDelivery, WebhookEvent } from './webhook-events.js';
import type { WebhookSettings } from './webhook-settings.js';

export interface DeliverBatchDeps {
  settings(clientId: string): Promise<WebhookSettings | undefined>;
  deliver(settings: WebhookSettings, event: WebhookEvent, timeoutMs: number): Promise<unknown>;
  /** Hides a failed message for `seconds` before its next attempt (SQS ChangeMessageVisibility). */
  delay(receiptHandle: string, seconds: number): Promise<void>;
  onDelivered(delivery: WebhookDelivery): void;
  /** `delivery` is absent when the message is not a delivery at all (it goes the same way, to the DLQ). */
  onFailed(failure: { messageId: string; attempt: number; delivery?: WebhookDelivery }, error: unknown): void;
}

/**
 * Delivers every message of a batch at once, each within the time the invocation has left, and answers
 * only the failed ones as batch item failures, each hidden for its own growing backoff: an endpoint that
 * fails or never answers gets its own messages back and touches no other message's receive count.
 */
export async function deliverBatch(
  records: readonly SQSRecord[],
  remainingMs: number,
  deps: DeliverBatchDeps,
): Promise<SQSBatchResponse> {
  const timeoutMs = Math.max(
    1,
    Math.min(WEBHOOK_DELIVERY_TIMEOUT_MS, remainingMs - WEBHOOK_RETURN_RESERVE_MS),
  );
  const settingsOf = new Map<string, Promise<WebhookSettings | undefined>>();
  const outcomes = await Promise.all(
    records.map(async (message) => {
      let delivery: WebhookDelivery | undefined;
      try {
        delivery = JSON.parse(message.body) as WebhookDelivery;
        let settings = settingsOf.get(delivery.clientId);
        if (!settings) {
          settings = deps.settings(delivery.clientId);
          settingsOf.set(delivery.clientId, settings);
        }
        const found = await settings;
        // A client without an endpoint (or that removed it) is owed nothing.
        if (!found) return undefined;
        await deps.deliver(found, delivery.event, timeoutMs);
        deps.onDelivered(delivery);
        return undefined;
      } catch (error) {
        const attempt = Number(message.attributes.ApproximateReceiveCount) || 1;
        deps.onFailed({ messageId: message.messageId, attempt, ...(delivery ? { delivery } : {}) }, error);
        await deps.delay(message.receiptHandle, retryDelaySeconds(attempt));
        return { itemIdentifier: message.messageId };
      }
    }),
  );
  return { batchItemFailures: outcomes.filter((failure) => failure !== undefined) };
}
