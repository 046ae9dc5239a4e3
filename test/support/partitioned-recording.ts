import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { killGroup, type NetworkNamespace } from './network-partition.js';

const DRIVER = join(import.meta.dirname, 'partition-driver.ts');
const REPO_ROOT = join(import.meta.dirname, '..', '..');

export type PartitionedService = 's3' | 'dynamodb' | 'ses' | 'sfn' | 'api';

export interface PartitionPlan {
  /** Whose port is blocked. */
  readonly service: PartitionedService;
  /** Seconds of recording before the partition, during it and after it, before the stop. */
  readonly beforeSeconds: number;
  readonly partitionSeconds: number;
  readonly afterSeconds: number;
  /** Stop this many seconds into the partition instead of after it (the email is then due while it lasts). */
  readonly stopSecondsIntoPartition?: number;
  readonly recorderEnv?: Record<string, string>;
  readonly resolution?: '720p' | '1080p';
  readonly progress?: (message: string) => void;
}

export interface PartitionOutcome {
  readonly recording: { status: string } & Record<string, unknown>;
  readonly emails: string[];
  /** From the recorder's start to its stop, and the file's duration: the difference was lost. */
  readonly recordedSeconds: number;
  readonly fileSeconds: number;
  readonly lostSeconds: number;
  /** Seconds the port really was blocked. */
  readonly partitionedSeconds: number;
  /** The largest backlog the recorder logged. */
  readonly peakBacklog: { parts: number; bytes: number; diskBytes: number; oldestWaitingMs: number };
  readonly backlogLines: number;
}

type DriverEvent = { event: string } & Record<string, unknown>;

/**
 * One recording of the demo meeting in local mode, inside `namespace`, with the service's TCP port
 * blocked (packets dropped) from `beforeSeconds` after the recording starts, for `partitionSeconds`;
 * stopped `afterSeconds` later through the API. Resolves once the recording is emailed or ERRORED.
 */
export async function recordThroughPartition(
  namespace: NetworkNamespace,
  plan: PartitionPlan,
): Promise<PartitionOutcome> {
  const progress = plan.progress ?? (() => {});
  const child = namespace.spawn(process.execPath, ['--import', 'tsx', DRIVER], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PARTITION_RECORDER_ENV: JSON.stringify(plan.recorderEnv ?? {}),
      PARTITION_RESOLUTION: plan.resolution ?? '720p',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const events: DriverEvent[] = [];
  const waiters: Array<() => void> = [];
  let exited = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('PARTITION ')) return;
    events.push(JSON.parse(line.slice('PARTITION '.length)) as DriverEvent);
    for (const wake of waiters.splice(0)) wake();
  });
  child.on('exit', () => {
    exited = true;
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (name: string): Promise<DriverEvent> => {
    for (;;) {
      const found = events.find((event) => event.event === name || event.event === 'error');
      if (found?.event === 'error')
        throw new Error(`the partition driver failed: ${String(found['message'])}`);
      if (found) return found;
      if (exited) throw new Error(`the partition driver exited before "${name}"`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };

  let blockedPort: number | undefined;
  try {
    const ready = await next('ready');
    const port = (ready['ports'] as Record<PartitionedService, number>)[plan.service];
    const recording = await next('recording');
    progress(
      `recording ${String(recording['id'])}; ${plan.service} (port ${port}) blocked in ${plan.beforeSeconds} s`,
    );
    await sleep(plan.beforeSeconds * 1000);
    namespace.blockTcpPort(port);
    blockedPort = port;
    const blockedAt = Date.now();
    progress(`${plan.service} blocked for ${plan.partitionSeconds} s`);
    const stopEarly = plan.stopSecondsIntoPartition;
    if (stopEarly !== undefined) {
      await sleep(stopEarly * 1000);
      progress(`stop, ${plan.service} still blocked`);
      child.stdin?.write('stop\n');
    }
    await sleep((plan.partitionSeconds - (stopEarly ?? 0)) * 1000);
    namespace.unblockTcpPort(port);
    blockedPort = undefined;
    const partitionedSeconds = (Date.now() - blockedAt) / 1000;
    if (stopEarly === undefined) {
      progress(`${plan.service} reachable again; stop in ${plan.afterSeconds} s`);
      await sleep(plan.afterSeconds * 1000);
      child.stdin?.write('stop\n');
    }
    const result = await next('result');
    const view = result['recording'] as PartitionOutcome['recording'];
    const recordedSeconds =
      (Date.parse(String(view['stoppedAt'])) - Date.parse(String(view['startedAt']))) / 1000;
    const fileSeconds = Number((view['file'] as { durationSeconds?: number } | null)?.durationSeconds ?? 0);
    return {
      recording: view,
      emails: result['emails'] as string[],
      recordedSeconds,
      fileSeconds,
      lostSeconds: recordedSeconds - fileSeconds,
      partitionedSeconds,
      peakBacklog: result['peakBacklog'] as PartitionOutcome['peakBacklog'],
      backlogLines: Number(result['backlogLines']),
    };
  } finally {
    if (blockedPort !== undefined) namespace.unblockTcpPort(blockedPort);
    // After its result the driver stops local mode and exits by itself; otherwise it is told to.
    const gone = new Promise((resolve) => (exited ? resolve(undefined) : child.once('exit', resolve)));
    if (!events.some((event) => event.event === 'result')) killGroup(child, 'SIGTERM');
    await Promise.race([gone, sleep(30_000)]);
    if (!exited) killGroup(child, 'SIGKILL');
  }
}
