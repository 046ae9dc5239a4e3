import type { AddressInfo } from 'node:net';
import sesLocal from 'aws-ses-v2-local';
import { stopServer } from '../stop-server.js';
import type { RunningEmulator } from './dynamodb.js';
import { LOOPBACK } from './ports.js';

export interface SesOptions {
  /** 0 picks a free port. */
  port: number;
}

type StartSesServer = typeof sesLocal.default;

// CommonJS with `exports.default`: Node's loader makes the default import `module.exports`, while
// bundler-style interop (Vite, in vitest's globalSetup) hands over `exports.default` itself.
const startSesServer: StartSesServer =
  typeof sesLocal === 'function' ? (sesLocal as unknown as StartSesServer) : sesLocal.default;

/**
 * Starts aws-ses-v2-local in this process, on loopback. Its web UI is at the endpoint's `/`, the sent
 * mail at `/store`. The mail store is global to the process, so there is one SES emulator per process.
 */
export async function startSes(options: SesOptions): Promise<RunningEmulator> {
  const server = await startSesServer({ host: LOOPBACK, port: options.port });
  // The package resolves even when listen fails (the error goes to the listen callback it ignores).
  if (!server.listening) {
    server.close();
    throw new Error(`aws-ses-v2-local could not listen on ${LOOPBACK}:${options.port}`);
  }
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    stop: () => stopServer(server),
  };
}
