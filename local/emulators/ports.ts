import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** The port named by `envName` when set (0 meaning "any free port"), else `fallback`. */
export function portFromEnv(envName: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[envName];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${envName} must be a port number (0-65535), got "${raw}"`);
  }
  return port;
}

/** Asks the OS for a free loopback port. For emulators that cannot report the port they bound. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the free port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export async function concretePort(port: number): Promise<number> {
  return port === 0 ? findFreePort() : port;
}
