import type { Server } from 'node:http';

/** Closes an HTTP server now: stops listening and ends every open connection, keep-alive ones too. */
export function stopServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
