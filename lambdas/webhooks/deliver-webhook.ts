import { WEBHOOK_DELIVERY_TIMEOUT_MS } from './delivery-timing.js';
import type { WebhookEvent } from './webhook-events.js';
import { webhookHeaders } from './webhook-events.js';
import type { WebhookSettings } from './webhook-settings.js';

export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WebhookDeliveryError';
  }
}

/** POSTs one signed event; any answer but 2xx (or no answer in time) is a failure to retry. */
export async function deliverWebhook(
  settings: WebhookSettings,
  event: WebhookEvent,
  now = new Date(),
  timeoutMs = WEBHOOK_DELIVERY_TIMEOUT_MS,
): Promise<number> {
  const body = JSON.stringify(event);
  const headers = webhookHeaders(settings.secret, event.id, Math.floor(now.getTime() / 1000), body);
  let response: Response;
  try {
    response = await fetch(settings.url, {
      method: 'POST',
      headers: { ...headers, 'user-agent': 'meeting-recorder-webhooks/1' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new WebhookDeliveryError(`No answer from the webhook endpoint: ${(error as Error).message}`);
  }
  await response.body?.cancel();
  if (response.status < 200 || response.status >= 300) {
    throw new WebhookDeliveryError(`Webhook endpoint answered ${response.status}`, response.status);
  }
  return response.status;
}
