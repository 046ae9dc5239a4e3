/** The events a client's webhook receives; the API's schemas read this list without the delivery code. */
export const WEBHOOK_EVENT_TYPES = [
  'recording.started',
  'recording.warning',
  'recording.stopped',
  'recording.uploaded',
  'recording.errored',
  'recording.deleted',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
