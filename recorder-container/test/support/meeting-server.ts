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
 * A page that tries what an ad or a hostile embed would: end the recording from a foreign frame
 * (localhost is another origin than 127.0.0.1) and from a same-origin frame's direct call of the
 * recorder's binding, open a popup, start a download and POST to another local service (`?localPort=`).
 * It animates, so it is never idle.
 */
const HOSTILE_PAGES: Record<string, string> = {
  '/hostile': `<!doctype html><body style="margin:0;background:#234">
<iframe src="http://localhost:{PORT}/hostile-frame" width="300" height="100"></iframe>
<iframe src="/same-origin-frame" width="300" height="100"></iframe>
<div id="box" style="width:80px;height:80px;background:#fc0"></div>
<script>
  let x = 0;
  (function step() { x = (x + 4) % 600; document.getElementById('box').style.marginLeft = x + 'px'; requestAnimationFrame(step); })();
  setTimeout(() => {
    fetch('/activation?' + navigator.userActivation.isActive);
    const otherPort = new URLSearchParams(location.search).get('localPort');
    if (otherPort) fetch('http://127.0.0.1:' + otherPort + '/', { method: 'POST', mode: 'no-cors', body: 'x' });
    window.open('/popup', '_blank');
    const link = Object.assign(document.createElement('a'), { href: '/download', download: 'x.bin' });
    document.body.append(link);
    link.click();
    location.hash = 'tried';
  }, 1000);
</script></body>`,
  '/hostile-frame': `<!doctype html><body>ad<script>
  setTimeout(() => {
    window.meetingRecorder.end('ended by an ad');
    window.top.postMessage({ type: 'meeting-recorder:end', reason: 'forged by an ad' }, '*');
  }, 500);
</script></body>`,
  '/same-origin-frame': `<!doctype html><body>widget<script>
  setTimeout(() => {
    if (typeof globalThis.__meetingRecorderEnd === 'function')
      globalThis.__meetingRecorderEnd(JSON.stringify({ reason: 'forged by a frame', origin: 'self' }));
  }, 500);
</script></body>`,
};

/**
 * Serves the test meeting page on 127.0.0.1. `/meeting` is the page; `/flaky/<n>/meeting` answers
 * 503 to the first n loads; `/redirect?to=<url>` answers 302 to that URL; `/hostile` is HOSTILE_PAGES.
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
    const hostile = HOSTILE_PAGES[url.pathname];
    if (hostile) {
      const port = (server.address() as AddressInfo).port;
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(hostile.replaceAll('{PORT}', String(port)));
      return;
    }
    if (url.pathname === '/download') {
      response
        .writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-disposition': 'attachment; filename=x.bin',
        })
        .end('not for the bot');
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
