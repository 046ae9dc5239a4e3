import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './api/lambda-context.js';
import type { EcsTaskStoppedEvent } from './workflow/index.js';

type Handler = (event: never, context: Context) => Promise<unknown>;

const importHandler = (module: string) => async (): Promise<Handler> => {
  const loaded = (await import(new URL(`../lambdas/handlers/${module}.ts`, import.meta.url).href)) as {
    handler: Handler;
  };
  return loaded.handler;
};

/** EventBridge invokes its targets asynchronously: a failed invocation is tried twice more. */
const ASYNC_ATTEMPTS = 3;

/**
 * The EventBridge rule on stopped recorder tasks, locally: each event goes to the same handler as in
 * AWS, in this process (it reads process.env, so it is loaded at the first event, after local mode set it).
 */
export function taskStoppedTarget(log: (line: string) => void): (event: EcsTaskStoppedEvent) => void {
  const load = importHandler('recorder-task-stopped');
  return (event) => {
    void (async () => {
      for (let attempt = 1; attempt <= ASYNC_ATTEMPTS; attempt++) {
        try {
          const handler = await load();
          const result = await handler(event as never, lambdaContext('recorder-task-stopped', 30_000));
          log(`recorder-task-stopped ${event.detail.taskArn.split('/').at(-1)}: ${JSON.stringify(result)}`);
          return;
        } catch (error) {
          log(`recorder-task-stopped attempt ${attempt} failed: ${String(error)}`);
          if (attempt < ASYNC_ATTEMPTS) await sleep(1_000 * attempt);
        }
      }
    })();
  };
}

export interface LocalReconciler {
  stop(): Promise<void>;
}

/** The reconciler's schedule, locally: the same handler every `intervalMs`, one run at a time. */
export function startLocalReconciler(intervalMs: number, log: (line: string) => void): LocalReconciler {
  const load = importHandler('reconcile-recordings');
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const runOnce = async () => {
    try {
      const result = (await (
        await load()
      )({} as never, lambdaContext('reconcile-recordings', 300_000))) as {
        outcomes: Record<string, string>;
      };
      const acted = Object.entries(result.outcomes).filter(([, outcome]) => outcome !== 'leave');
      if (acted.length > 0) log(`reconcile-recordings: ${JSON.stringify(Object.fromEntries(acted))}`);
    } catch (error) {
      log(`reconcile-recordings failed: ${String(error)}`);
    }
  };
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(runOnce);
  }, intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
