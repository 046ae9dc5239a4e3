import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MeetingServer {
  origin: string;
  /** Every path the server was asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

const PAGE = new URL('../fixtures/meeting.html', import.meta.url);

/**
 * Serves the test meeting page on 127.0.0.1. `/meeting` is the page; `/flaky/<n>/meeting` answers
 * 503 to the first n loads; `/redirect?to=<url>` answers 302 to that URL.
 */
export async function startMeetingServer(): Promise<MeetingServer> {
  const page = await readFile(PAGE);
  const requests: string[] = [];
  const failures = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname + url.search);
    const flaky = url.pathname.match(/^\/flaky\/(\d+)\/meeting$/);
    if (flaky) {
      const seen = failures.get(url.pathname) ?? 0;
      failures.set(url.pathname, seen + 1);
      if (seen < Number(flaky[1])) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('not yet');
        return;
      }
    }
    if (url.pathname === '/redirect') {
      response.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
      return;
    }
    if (url.pathname === '/meeting' || flaky) {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(page);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
