import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type RunningEmulator, startDynamoDb } from './dynamodb.js';
import {
  type EmulatorEndpoints,
  emulatorEnv,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type Resources,
} from './env.js';
import { portFromEnv } from './ports.js';
import { startS3 } from './s3.js';
import { startSes } from './ses.js';
import { ensureTable } from './table.js';

export type { EmulatorEndpoints, Resources } from './env.js';
export { emulatorEnv, LOCAL_CREDENTIALS, LOCAL_REGION } from './env.js';
export { LOOPBACK, portFromEnv } from './ports.js';

export const DEFAULT_RESOURCES: Resources = { tableName: 'recordings', bucketName: 'recordings' };

export interface EmulatorPorts {
  dynamodb: number;
  s3: number;
  ses: number;
}

/** Local mode's ports: `LOCAL_DYNAMODB_PORT`, `LOCAL_S3_PORT`, `LOCAL_SES_PORT`, else 47100-47102. */
export function portsFromEnv(env: NodeJS.ProcessEnv = process.env): EmulatorPorts {
  return {
    dynamodb: portFromEnv('LOCAL_DYNAMODB_PORT', 47_100, env),
    s3: portFromEnv('LOCAL_S3_PORT', 47_101, env),
    ses: portFromEnv('LOCAL_SES_PORT', 47_102, env),
  };
}

export interface EmulatorsOptions {
  /** 0 for any free port. */
  ports: EmulatorPorts;
  /** Keeps DynamoDB and S3 data here (`dynamodb/`, `s3/`); without it, memory and a temporary directory. */
  dataDir?: string;
  resources?: Resources;
}

export type EmulatorName = keyof EmulatorPorts;

export interface Emulators {
  readonly endpoints: EmulatorEndpoints;
  readonly resources: Resources;
  /** See emulatorEnv. */
  readonly env: Record<string, string>;
  /**
   * Stops one emulator the way an outage would (its port refuses connections) and returns what brings
   * it back on the same port with the same data. For the fault tests.
   */
  takeDown(name: EmulatorName): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local, s3rver and aws-ses-v2-local on loopback, with the table and the bucket created. */
export async function startEmulators(options: EmulatorsOptions): Promise<Emulators> {
  const resources = options.resources ?? DEFAULT_RESOURCES;
  const scratch = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'meeting-recorder-s3-'));
  const starters: Record<EmulatorName, (port: number) => Promise<RunningEmulator>> = {
    dynamodb: (port) =>
      startDynamoDb({ port, ...(options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {}) }),
    s3: (port) =>
      startS3({
        port,
        directory: options.dataDir ? join(options.dataDir, 's3') : (scratch as string),
        buckets: [resources.bucketName],
      }),
    ses: (port) => startSes({ port }),
  };
  const running = new Map<EmulatorName, RunningEmulator>();
  const stop = async () => {
    const stopping = [...running.values()];
    running.clear();
    const results = await Promise.allSettled(stopping.map((emulator) => emulator.stop()));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    const failures = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    if (failures.length > 0)
      throw new AggregateError(
        failures.map((failure) => failure.reason),
        'stopping emulators',
      );
  };
  try {
    const names = Object.keys(starters) as EmulatorName[];
    const starts = await Promise.allSettled(names.map((name) => starters[name](options.ports[name])));
    starts.forEach((start, index) => {
      if (start.status === 'fulfilled') running.set(names[index] as EmulatorName, start.value);
    });
    for (const start of starts) if (start.status === 'rejected') throw start.reason;
    const endpointOf = (name: EmulatorName) => (running.get(name) as RunningEmulator).endpoint;
    const endpoints = { dynamodb: endpointOf('dynamodb'), s3: endpointOf('s3'), ses: endpointOf('ses') };
    const client = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await ensureTable(client, resources.tableName);
    } finally {
      client.destroy();
    }
    const takeDown = async (name: EmulatorName) => {
      const emulator = running.get(name);
      if (!emulator) throw new Error(`${name} is not running`);
      running.delete(name);
      await emulator.stop();
      return async () => {
        running.set(name, await starters[name](Number(new URL(endpoints[name]).port)));
      };
    };
    return { endpoints, resources, env: emulatorEnv(endpoints, resources), takeDown, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
