import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TaskCallback {
  action: string;
  body: Record<string, unknown>;
}

export interface FakeStepFunctions {
  endpoint: string;
  callbacks: TaskCallback[];
  of(action: string): TaskCallback[];
  close(): Promise<void>;
}

/** Answers the task-token calls (awsJson1_0) the way Step Functions does, and remembers them. */
export async function startFakeStepFunctions(): Promise<FakeStepFunctions> {
  const callbacks: TaskCallback[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const action = target.replace(/^AWSStepFunctions\./, '');
      callbacks.push({ action, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    callbacks,
    of: (action) => callbacks.filter((callback) => callback.action === action),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
