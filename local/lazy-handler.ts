import type { Context } from 'aws-lambda';

export type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/** Imports a handler on first use (after the environment it reads at load is set). */
export function lazyHandler<E, R>(name: string): () => Promise<Handler<E, R>> {
  let loading: Promise<Handler<E, R>> | undefined;
  return () => {
    loading ??= importHandler<E, R>(name);
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
}

async function importHandler<E, R>(name: string): Promise<Handler<E, R>> {
  const module = (await import(new URL(`../lambdas/handlers/${name}.ts`, import.meta.url).href)) as {
    handler?: unknown;
  };
  if (typeof module.handler !== 'function') throw new Error(`lambdas/handlers/${name}.ts exports no handler`);
  return module.handler as Handler<E, R>;
}
