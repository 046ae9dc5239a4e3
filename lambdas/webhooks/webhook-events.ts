import { createHash, createHmac } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type Recording, type RecordingView, toView } from '../domain/recording.js';
import type { WebhookEventType } from './webhook-event-types.js';

export interface WebhookEvent {
  type: WebhookEventType;
  id: string;
  createdAt: string;
  data: { recording: RecordingView; remainingSeconds?: number };
}

/** A client's queued event: who to tell and what. */
export interface WebhookDelivery {
  clientId: string;
  event: WebhookEvent;
}

/**
 * The id is derived from what happened, not drawn at random: a stream record processed twice yields the
 * same `webhook-id`, so clients can deduplicate at-least-once deliveries.
 */
function eventId(recordingId: string, type: WebhookEventType, discriminator: string): string {
  return `evt_${createHash('sha256').update(`${recordingId}|${type}|${discriminator}`).digest('base64url').slice(0, 26)}`;
}

/** The contract's events for one change of a recording item (DynamoDB stream old and new images). */
export function webhookEventsFor(
  before: Recording | undefined,
  after: Recording | undefined,
  at: string,
): WebhookDelivery[] {
  const recording = after ?? before;
  if (!recording) return [];
  const types: Array<{ type: WebhookEventType; remainingSeconds?: number; key: string }> = [];
  const from = before?.status;
  const to = after?.status;
  if (to && to !== from) {
    if (to === 'RECORDING') types.push({ type: 'recording.started', key: to });
    if (to === 'UPLOADING' || (to === 'UPLOADED' && from === 'RECORDING'))
      types.push({ type: 'recording.stopped', key: 'stopped' });
    if (to === 'UPLOADED') types.push({ type: 'recording.uploaded', key: to });
    if (to === 'ERRORED') types.push({ type: 'recording.errored', key: to });
    if (to === 'DELETED') types.push({ type: 'recording.deleted', key: to });
  }
  const warning = after?.lastWarningSeconds;
  if (typeof warning === 'number' && warning !== before?.lastWarningSeconds) {
    types.push({ type: 'recording.warning', remainingSeconds: warning, key: `warning-${warning}` });
  }
  const view = toView(recording);
  return types.map(({ type, remainingSeconds, key }) => ({
    clientId: recording.clientId,
    event: {
      type,
      id: eventId(recording.id, type, key),
      createdAt: at,
      data: { recording: view, ...(remainingSeconds !== undefined ? { remainingSeconds } : {}) },
    },
  }));
}

/**
 * Standard Webhooks signature: HMAC-SHA256 over `<id>.<timestamp>.<body>` with the secret's bytes
 * (`whsec_` + base64), sent as `webhook-signature: v1,<base64>`.
 */
export function webhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

/** A DynamoDB stream record, as Lambda and the DynamoDB Streams API both deliver it. */
export interface StreamRecordLike {
  dynamodb?: {
    OldImage?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    ApproximateCreationDateTime?: number | Date;
  };
}

function recordingImage(image: Record<string, unknown> | undefined): Recording | undefined {
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  return item.type === 'recording' ? (item as unknown as Recording) : undefined;
}

/** Every webhook delivery owed for a batch of stream records, in order. Other items yield none. */
export function deliveriesForStreamRecords(records: readonly StreamRecordLike[]): WebhookDelivery[] {
  return records.flatMap((record) => {
    const created = record.dynamodb?.ApproximateCreationDateTime;
    const at = created instanceof Date ? created : new Date(created ? created * 1000 : Date.now());
    return webhookEventsFor(
      recordingImage(record.dynamodb?.OldImage),
      recordingImage(record.dynamodb?.NewImage),
      at.toISOString(),
    );
  });
}
