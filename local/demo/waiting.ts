import { setTimeout as sleep } from 'node:timers/promises';

export type Progress = (message: string) => void;

/**
 * Polls `probe` every `intervalMs` until it returns a value, failing after `timeoutMs`; reports the elapsed
 * time through `progress` every `reportEveryMs`.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; progress?: Progress; reportEveryMs?: number },
): Promise<T> {
  const started = Date.now();
  let reported = started;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const now = Date.now();
    if (now - started > options.timeoutMs)
      throw new Error(`timed out after ${options.timeoutMs / 1000} s ${what}`);
    if (options.progress && now - reported >= (options.reportEveryMs ?? 5_000)) {
      reported = now;
      options.progress(`… ${what} (${Math.round((now - started) / 1000)} s)`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}
