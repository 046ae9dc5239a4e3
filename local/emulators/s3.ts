import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import S3rver from 's3rver';
import { stopServer } from '../stop-server.js';
import type { RunningEmulator } from './dynamodb.js';
import { LOOPBACK } from './ports.js';
import { multipartListing } from './s3-multipart-listing.js';

export interface S3Options {
  /** 0 picks a free port. */
  port: number;
  /** Where s3rver keeps buckets and objects. */
  directory: string;
  /** Buckets created (if missing) before the server accepts requests. */
  buckets: readonly string[];
}

/**
 * Starts s3rver in this process. The endpoint is an IP literal on purpose: for an IP endpoint the SDK
 * addresses buckets path-style by itself, so clients need no `forcePathStyle`. Its only known key pair is
 * `S3RVER`/`S3RVER`; SigV4 signatures are not verified. ListMultipartUploads and ListParts are added.
 */
export async function startS3(options: S3Options): Promise<RunningEmulator> {
  const directory = resolve(options.directory);
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: LOOPBACK,
    port: options.port,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  // Before s3rver's router (the last middleware), after its XML serialiser and virtual-host rewriting.
  const middleware = (server as unknown as { middleware: unknown[] }).middleware;
  middleware.splice(middleware.length - 1, 0, multipartListing);
  const address = await server.run();
  // s3rver's own close() waits for keep-alive connections, which would let clients go on as if it were up.
  const httpServer = (server as unknown as { httpServer: Server }).httpServer;
  return { endpoint: `http://${LOOPBACK}:${address.port}`, stop: () => stopServer(httpServer) };
}
