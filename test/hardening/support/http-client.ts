import { Agent, request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query string, sent as is. */
  target: string;
  /** Repeated names send the header several times. */
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One HTTP/1.1 request through node:http, which lets through what a client library would refuse (unknown
 * methods, repeated headers, latin1 header bytes, bodies on GET), but never CR/LF in a header: request
 * framing is the gateway's business, not the API's.
 */
export function send(baseUrl: string, raw: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to send traffic to ${url.hostname}`);
  return new Promise((resolve, reject) => {
    const req = request({
      agent,
      host: url.hostname,
      port: url.port,
      method: raw.method,
      path: raw.target,
      // Raw header values are latin1: bytes 0x80-0xff go out as single bytes, invalid UTF-8 on purpose.
      headers: {},
    });
    const grouped = new Map<string, string[]>();
    for (const [name, value] of raw.headers ?? []) {
      const values = grouped.get(name) ?? [];
      values.push(value);
      grouped.set(name, values);
    }
    req.on('error', reject);
    try {
      for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0]! : values);
      if (raw.body !== undefined) req.setHeader('content-length', String(raw.body.length));
    } catch (error) {
      req.destroy();
      reject(error);
      return;
    }
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.end(raw.body);
  });
}

export function closeConnections(): void {
  agent.destroy();
}
