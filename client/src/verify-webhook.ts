import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { components } from './schema.js';

export { WebhookVerificationError };

/**
 * Checks a delivery's signature and timestamp (Standard Webhooks, 5 minutes of tolerance) with the
 * client's `whsec_…` secret, and returns the event. Pass the body exactly as received, before any JSON
 * parsing. Throws WebhookVerificationError for a forged, altered or replayed delivery.
 */
export function verifyWebhook(
  secret: string,
  headers: Headers | Record<string, string | string[] | undefined>,
  body: string | Buffer,
): components['schemas']['WebhookEvent'] {
  const get = (name: string) => {
    const value = headers instanceof Headers ? headers.get(name) : headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  return new Webhook(secret).verify(body, {
    'webhook-id': get('webhook-id'),
    'webhook-timestamp': get('webhook-timestamp'),
    'webhook-signature': get('webhook-signature'),
  }) as components['schemas']['WebhookEvent'];
}
