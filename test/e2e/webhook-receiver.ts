import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../client/src/index.js';

export interface ReceivedWebhook {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** Signature and timestamp checked by the client package (the reference Standard Webhooks library). */
  readonly signatureValid: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: the event JSON, asserted by the tests
  readonly event: any;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  stop(): Promise<void>;
}

/** Whether the client package's verifier, as an integrator's endpoint would run it, accepts the delivery. */
function signatureValid(secret: string, headers: ReceivedWebhook['headers'], body: string): boolean {
  try {
    verifyWebhook(secret, headers, body);
    return true;
  } catch {
    return false;
  }
}

/** A client's webhook endpoint on loopback, recording every POST. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        headers: req.headers,
        body,
        signatureValid: signatureValid(secret, req.headers, body),
        event: JSON.parse(body),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
