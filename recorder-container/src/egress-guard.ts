import { lookup } from 'node:dns/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
} from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { classifyAddress, type EgressRules, isAddressAllowed } from '../../lambdas/domain/address-policy.js';
import { errorMessage, log } from './log.js';

export type EgressDecision =
  | { allowed: true; host: string; address: string }
  | { allowed: false; host: string; reason: string };

/**
 * Resolves a host name the way the connection will, and allows it only when every address it
 * resolves to is allowed: a name that also points at a private address is refused, so a DNS answer
 * cannot smuggle the browser to the metadata endpoint. The connection then goes to the checked address.
 */
export async function decideEgress(host: string, port: number, rules: EgressRules): Promise<EgressDecision> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(bare) !== 0) {
    addresses = [bare];
  } else {
    try {
      addresses = (await lookup(bare, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch (error) {
      return { allowed: false, host, reason: `cannot resolve: ${errorMessage(error)}` };
    }
  }
  const refused = addresses.find((address) => !isAddressAllowed(address, port, rules));
  if (refused !== undefined) {
    const kind = classifyAddress(refused);
    const reason =
      kind === 'loopback' ? `${refused} port ${port} is not an allowed local port` : `${refused} is ${kind}`;
    return { allowed: false, host, reason };
  }
  const [first] = addresses;
  if (first === undefined) return { allowed: false, host, reason: 'no address' };
  return { allowed: true, host, address: first };
}

function splitHostPort(authority: string, defaultPort: number): { host: string; port: number } {
  const match = authority.match(/^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/);
  return { host: match?.[1] ?? authority, port: match?.[2] ? Number(match[2]) : defaultPort };
}

function openSocket(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function refuse(client: Duplex, status: string): void {
  client.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

function forwardedHeaders(request: IncomingMessage): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!name.startsWith('proxy-') && value !== undefined) headers[name] = value;
  }
  return headers;
}

function rawRequestHead(request: IncomingMessage, target: URL): string {
  const lines = [`${request.method} ${target.pathname}${target.search} HTTP/1.1`];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    if (/^proxy-/i.test(name)) continue;
    lines.push(`${name}: ${request.rawHeaders[index + 1] ?? ''}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface EgressGuard {
  /** `http://127.0.0.1:<port>`: give it to Chromium as `--proxy-server`. */
  proxyUrl: string;
  close(): Promise<void>;
}

/**
 * The browser's only way out: an HTTP proxy on loopback that checks every destination (page,
 * redirect, subresource, fetch, WebSocket; plain http, and https/wss through CONNECT) before it
 * connects, and then connects to the address it checked.
 */
export async function startEgressGuard(rules: EgressRules): Promise<EgressGuard> {
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  };

  /** Checks the destination; answers the client itself when it is refused or unreachable. */
  const checkedAddress = async (client: Duplex, host: string, port: number): Promise<string | undefined> => {
    const decision = await decideEgress(host, port, rules);
    if (!decision.allowed) {
      log('egress_blocked', { host, port, reason: decision.reason });
      refuse(client, '403 Forbidden');
      return undefined;
    }
    log('egress_connect', { host, port, address: decision.address });
    return decision.address;
  };

  const splice = async (client: Duplex, host: string, port: number, greeting: string, head: Buffer) => {
    track(client);
    const address = await checkedAddress(client, host, port);
    if (address === undefined) return;
    try {
      const upstream = await openSocket(address, port);
      track(upstream);
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
      if (greeting !== '') client.write(greeting);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    } catch (error) {
      log('egress_failed', { host, port, address, error: errorMessage(error) });
      refuse(client, '502 Bad Gateway');
    }
  };

  const server: Server = createServer((request, response) => {
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      response.writeHead(400).end();
      return;
    }
    if (target.protocol !== 'http:') {
      log('egress_blocked', { url: target.href, reason: `scheme ${target.protocol}` });
      response.writeHead(403).end();
      return;
    }
    const port = Number(target.port || 80);
    void (async () => {
      const decision = await decideEgress(target.hostname, port, rules);
      if (!decision.allowed) {
        log('egress_blocked', { host: target.hostname, port, reason: decision.reason });
        response.writeHead(403, { 'content-length': '0' }).end();
        return;
      }
      log('egress_connect', { host: target.hostname, port, address: decision.address });
      const upstream = httpRequest({
        host: decision.address,
        port,
        method: request.method,
        path: `${target.pathname}${target.search}`,
        headers: forwardedHeaders(request),
      });
      upstream.on('response', (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.on('error', (error) => {
        log('egress_failed', { host: target.hostname, port, error: errorMessage(error) });
        if (!response.headersSent) response.writeHead(502, { 'content-length': '0' });
        response.end();
      });
      request.pipe(upstream);
    })();
  });
  server.on('connect', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    const { host, port } = splitHostPort(request.url ?? '', 443);
    void splice(client, host, port, 'HTTP/1.1 200 Connection Established\r\n\r\n', head);
  });
  server.on('upgrade', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      refuse(client, '400 Bad Request');
      return;
    }
    const port = Number(target.port || 80);
    const replay = Buffer.concat([Buffer.from(rawRequestHead(request, target)), head]);
    void splice(client, target.hostname, port, '', replay);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('egress guard has no port');
  return {
    proxyUrl: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
