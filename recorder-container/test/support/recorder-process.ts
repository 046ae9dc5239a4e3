import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface LogEvent {
  at: string;
  event: string;
  [field: string]: unknown;
}

export interface RecorderProcess {
  child: ChildProcess;
  events: LogEvent[];
  /** Resolves with the first event of that name (and matching the predicate) already seen or to come. */
  waitFor(event: string, timeoutMs?: number, predicate?: (entry: LogEvent) => boolean): Promise<LogEvent>;
  exited: Promise<number | null>;
  find(event: string): LogEvent | undefined;
  /** SIGKILL to the recorder and everything it started (its process group). */
  killGroup(): void;
}

/**
 * Runs the recorder program as a host would (tsx, no build step), in its own process group so that a
 * test can kill it with everything it started, as a container's end would.
 */
export function spawnRecorder(env: Record<string, string>, command: string[] = []): RecorderProcess {
  const [program = process.execPath, ...prefix] = command;
  const child = spawn(
    program,
    [...prefix, ...(command.length > 0 ? [process.execPath] : []), '--import', 'tsx', MAIN],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', ...env },
      stdio: ['ignore', 'inherit', 'pipe'],
      detached: true,
    },
  );
  const events: LogEvent[] = [];
  const waiters: Array<() => void> = [];
  let pending = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (process.env['RECORDER_TEST_VERBOSE']) process.stderr.write(`${line}\n`);
      try {
        events.push(JSON.parse(line) as LogEvent);
      } catch {
        events.push({ at: new Date().toISOString(), event: 'raw', line });
      }
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const matching = (event: string, predicate?: (entry: LogEvent) => boolean) =>
    events.find((entry) => entry.event === event && (predicate?.(entry) ?? true));
  return {
    child,
    events,
    exited,
    find: (event) => matching(event),
    killGroup: () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
    waitFor(event, timeoutMs = 60_000, predicate) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(`no ${event} within ${timeoutMs} ms; last events: ${JSON.stringify(events.slice(-8))}`),
          );
        }, timeoutMs);
        const check = () => {
          const found = matching(event, predicate);
          if (found) {
            clearTimeout(timer);
            resolve(found);
            return;
          }
          if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            reject(
              new Error(`recorder exited before ${event}; last events: ${JSON.stringify(events.slice(-8))}`),
            );
            return;
          }
          waiters.push(check);
        };
        child.once('exit', () =>
          setTimeout(() => {
            for (const wake of waiters.splice(0)) wake();
          }, 50),
        );
        check();
      });
    },
  };
}
