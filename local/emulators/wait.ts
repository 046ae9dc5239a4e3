import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** A promise that rejects when waiting is pointless (the process being waited for died). */
  abort?: Promise<never>;
}

/** Retries `probe` until it resolves; rejects after `timeoutMs` with the last error, or when `abort` rejects. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 200 } = options;
  let cancelled = false;
  const poll = async (): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (!cancelled && Date.now() < deadline) {
      try {
        return await probe();
      } catch (error) {
        lastError = error;
      }
      await sleep(intervalMs);
    }
    throw new Error(`${what} not ready after ${timeoutMs} ms: ${String(lastError)}`);
  };
  if (!options.abort) return poll();
  try {
    return await Promise.race([poll(), options.abort]);
  } finally {
    cancelled = true;
  }
}
