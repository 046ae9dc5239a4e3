import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export interface HangingProxy {
  endpoint: string;
  /** From now on nothing answers: bytes sent are swallowed, on new connections and open ones alike. */
  hang(): void;
  /** New connections go through again (the hung ones stay dead, as after a real partition their peers gave up). */
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
  hung: boolean;
}

/** A TCP proxy on 127.0.0.1 in front of `target` that can stop answering without refusing or resetting. */
export async function startHangingProxy(target: string): Promise<HangingProxy> {
  const { hostname, port } = new URL(target);
  let hanging = false;
  const open = new Set<Pair>();
  const swallow = (pair: Pair) => {
    pair.hung = true;
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.upstream?.destroy();
    pair.client.removeAllListeners('data');
    pair.client.on('data', () => undefined);
  };
  const server = createServer((client) => {
    const pair: Pair = { client, hung: false };
    open.add(pair);
    client.on('close', () => open.delete(pair));
    client.on('error', () => undefined);
    if (hanging) return swallow(pair);
    const upstream = connect(Number(port), hostname);
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on('close', () => {
      if (!pair.hung) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hang() {
      hanging = true;
      for (const pair of open) swallow(pair);
    },
    resume() {
      hanging = false;
    },
    async close() {
      for (const pair of open) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
