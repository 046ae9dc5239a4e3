import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeServer {
  /** Where the file is served. */
  url: string;
  close(): void;
}

/** Serves one file at `/recording` with range requests, as S3 serves a download link; `/` is an empty page. */
export async function serveWithRanges(file: string, contentType: string): Promise<RangeServer> {
  const body = await readFile(file);
  const server = createServer((request, response) => {
    if (request.url !== '/recording') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<video id="v" muted></video>');
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
    response.writeHead(range ? 206 : 200, {
      'content-type': contentType,
      'accept-ranges': 'bytes',
      'content-length': String(end - start + 1),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${body.length}` } : {}),
    });
    response.end(body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/recording`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
