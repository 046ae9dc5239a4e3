import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

export interface GroupProcess {
  readonly child: ChildProcess;
  /** Rejects when the process exits before `stop()` was called; carries the tail of its output. */
  readonly exited: Promise<never>;
  /** Output collected so far (stdout + stderr, last 16 KiB). */
  output(): string;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once the leader is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the leader has exited (however it ended). */
  readonly gone: Promise<void>;
}

const OUTPUT_LIMIT = 16 * 1024;
const running = new Set<ChildProcess>();

// Last resort when the parent dies without calling stop(): `exit` handlers may only do synchronous work.
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/**
 * Spawns `command` as the leader of a new process group, so that stopping it also stops any process it
 * started (DynamoDB Local's JVM, a recorder's Chromium and ffmpeg).
 */
export function spawnGroup(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): GroupProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, detached: true });
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let stopping = false;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
    child.once('error', () => {
      running.delete(child);
      resolve();
    });
  });
  const exited = new Promise<never>((_, reject) => {
    const fail = (reason: string) => {
      if (!stopping) reject(new Error(`${command} ${reason}\n${output}`));
    };
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.once('error', (error) => fail(`failed to start: ${error.message}`));
  });
  exited.catch(() => {});

  return {
    child,
    exited,
    gone,
    output: () => output,
    async stop(graceMs = 5_000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
        killGroup(child, 'SIGKILL');
        return;
      }
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
      // The leader may exit before the rest of its group.
      killGroup(child, 'SIGKILL');
    },
  };
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
