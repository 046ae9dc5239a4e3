import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from './emulators/ports.js';

/** The recorder's own test meeting: moving tiles, a tone and beeps; `?mode=`/`?end=` as documented in it. */
const PAGE = new URL('../recorder-container/test/fixtures/meeting.html', import.meta.url);

export interface DemoMeeting {
  /** The page to record. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Serves the demo meeting page on loopback at `/meeting`. */
export async function startDemoMeeting(port: number): Promise<DemoMeeting> {
  const page = await readFile(PAGE);
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/meeting') {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(page);
    } else if (pathname === '/') {
      response.writeHead(302, { location: '/meeting' }).end();
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK}:${bound}/meeting`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
