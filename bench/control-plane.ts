/**
 * p50/p99 latency of each API route under 50 concurrent clients (autocannon), against the local API server
 * in its own process over loopback, backed by DynamoDB Local and s3rver. Each route runs a bounded number of
 * requests per round; medians over rounds, each next to GET /v1/health measured in the same round.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import autocannon, { type Request } from 'autocannon';
import { DynamoRecordingStore } from '../lambdas/store/dynamo-recording-store.js';
import { putApiKey } from '../local/api-keys.js';
import { startEmulators } from '../local/emulators/index.js';
import { fixed, median, table, writeResult } from './support/report.js';

const CONNECTIONS = 50;
const REQUESTS_PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_TIMEOUT_MS = 120_000;

/** The handlers' settings (docs/internals.md, "Lambda environment"), as in local mode. */
const API_ENV = {
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:recordings',
  ALLOWED_MEETING_ORIGINS: 'meet.example.com',
  ALLOW_LOOPBACK_HTTP: 'false',
  MAX_DURATION_SECONDS: '3600',
  RETENTION_DAYS: '30',
  LINK_MODE: 'presigned',
  CURSOR_SECRET: 'bench-cursor-secret',
  SIGNING_SECRET: JSON.stringify({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }),
  SENDER_EMAIL: 'recordings@example.com',
  APP_VERSION: 'bench',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

let meetings = 0;
const startBody = () =>
  JSON.stringify({
    meetingId: `bench-${process.pid}-${meetings++}`,
    meetingUrl: 'https://meet.example.com/r/bench',
    host: { email: 'host@example.com', name: 'Ada', userId: 'u-42' },
    meetingTitle: 'Bench',
  });

async function startServer(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const entry = fileURLToPath(new URL('./support/api-server-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Powertools says so on every request when metrics are off; anything else the server says is shown.
  const quiet = (line: string) => line.includes('No application metrics to publish');
  createInterface({ input: child.stderr! }).on('line', (line) => quiet(line) || console.error(line));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^READY (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match?.[1]) resolve(match[1]);
      else if (!quiet(line)) console.log(line);
    });
    child.once('exit', (code) =>
      reject(new Error(`the API server process ended (${code}) before it listened`)),
    );
  });
  return { url: await url, child };
}

/** Runs `count` tasks with at most `limit` at a time. */
async function pool<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

interface Route {
  name: string;
  expected: number;
  request: () => Request;
}

async function main(): Promise<void> {
  const emulators = await startEmulators({ ports: { dynamodb: 0, s3: 0, ses: 0 } });
  Object.assign(process.env, emulators.env, API_ENV);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client({ forcePathStyle: true });
  const store = new DynamoRecordingStore(documents, emulators.resources.tableName);
  const { key } = await putApiKey(documents, emulators.resources.tableName, { clientId: 'bench' });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const server = await startServer(process.env);
  try {
    const start = async () => {
      const response = await fetch(`${server.url}/v1/recordings`, {
        method: 'POST',
        headers,
        body: startBody(),
      });
      if (response.status !== 202) throw new Error(`fixture start answered ${response.status}`);
      return ((await response.json()) as { id: string }).id;
    };
    const recording = async () => {
      const id = await start();
      await store.transition(id, 'RECORDING', { startedAt: new Date().toISOString() });
      return id;
    };
    const uploaded = async () => {
      const id = await recording();
      await store.transition(id, 'UPLOADING', {
        stoppedAt: new Date().toISOString(),
        stopReason: 'requested',
      });
      const { objectKey } = (await store.get(id))!;
      await s3.send(
        new PutObjectCommand({ Bucket: emulators.resources.bucketName, Key: objectKey, Body: 'video bytes' }),
      );
      await store.transition(id, 'UPLOADED', { uploadedAt: new Date().toISOString() });
      return id;
    };
    const total = REQUESTS_PER_ROUND * ROUNDS;
    console.log(`preparing ${total} recording and ${total} uploaded recordings for stop and delete…`);
    const toStop = await pool(total, 16, recording);
    const toDelete = await pool(total, 16, uploaded);
    const [readable] = toDelete.splice(-1, 1);
    let stopIndex = 0;
    let deleteIndex = 0;

    const routes: Route[] = [
      {
        name: 'GET /v1/health (no auth)',
        expected: 200,
        request: () => ({ method: 'GET', path: '/v1/health' }),
      },
      {
        name: 'POST /v1/recordings',
        expected: 202,
        request: () => ({
          method: 'POST',
          path: '/v1/recordings',
          setupRequest: (r) => ({ ...r, body: startBody() }),
        }),
      },
      {
        name: 'GET /v1/recordings/{id}',
        expected: 200,
        request: () => ({ method: 'GET', path: `/v1/recordings/${readable}` }),
      },
      {
        name: 'GET /v1/recordings?limit=20',
        expected: 200,
        request: () => ({ method: 'GET', path: '/v1/recordings?limit=20' }),
      },
      {
        name: 'POST /v1/recordings/{id}/stop',
        expected: 202,
        request: () => ({
          method: 'POST',
          path: '/v1/recordings',
          setupRequest: (r) => ({ ...r, path: `/v1/recordings/${toStop[stopIndex++ % toStop.length]}/stop` }),
        }),
      },
      {
        name: 'POST /v1/recordings/{id}/links',
        expected: 201,
        request: () => ({ method: 'POST', path: `/v1/recordings/${readable}/links`, body: '{}' }),
      },
      {
        name: 'DELETE /v1/recordings/{id}',
        expected: 204,
        request: () => ({
          method: 'DELETE',
          path: '/v1/recordings',
          setupRequest: (r) => ({
            ...r,
            path: `/v1/recordings/${toDelete[deleteIndex++ % toDelete.length]}`,
          }),
        }),
      },
    ];

    const samples = new Map(
      routes.map((route) => [
        route.name,
        [] as { p50: number; p99: number; rps: number; unexpected: number }[],
      ]),
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of routes) {
        const instance = autocannon({
          url: server.url,
          connections: CONNECTIONS,
          amount: REQUESTS_PER_ROUND,
          timeout: 30,
          headers,
          requests: [route.request()],
        });
        const timer = setTimeout(() => instance.stop(), ROUND_TIMEOUT_MS);
        const result = await instance;
        clearTimeout(timer);
        const expected = result.statusCodeStats[String(route.expected)]?.count ?? 0;
        samples.get(route.name)!.push({
          p50: result.latency.p50,
          p99: result.latency.p99,
          rps: result.requests.average,
          unexpected: result.requests.total - expected + result.errors + result.timeouts,
        });
        console.log(
          `round ${round + 1}/${ROUNDS} ${route.name}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.requests.total - expected} unexpected answers`,
        );
      }
    }

    const health = samples.get(routes[0]!.name)!;
    const rows = routes.map((route) => {
      const runs = samples.get(route.name)!;
      return {
        route: route.name,
        expectedStatus: route.expected,
        p50Ms: median(runs.map((run) => run.p50)),
        p99Ms: median(runs.map((run) => run.p99)),
        requestsPerSecond: median(runs.map((run) => run.rps)),
        p50VsHealth: median(runs.map((run, i) => run.p50 / health[i]!.p50)),
        p99VsHealth: median(runs.map((run, i) => run.p99 / health[i]!.p99)),
        unexpectedAnswers: runs.reduce((sum, run) => sum + run.unexpected, 0),
      };
    });
    console.log(
      `\nControl plane, ${CONNECTIONS} concurrent clients, ${REQUESTS_PER_ROUND} requests per route per round, median of ${ROUNDS} rounds`,
    );
    console.log(
      'local API server + DynamoDB Local + s3rver on this machine; StartExecution answered in-process\n',
    );
    console.log(
      table(
        ['route', 'p50 ms', 'p99 ms', 'req/s', 'p50 vs health', 'p99 vs health', 'unexpected'],
        rows.map((row) => [
          row.route,
          fixed(row.p50Ms),
          fixed(row.p99Ms),
          fixed(row.requestsPerSecond, 0),
          `${row.p50VsHealth.toFixed(1)}×`,
          `${row.p99VsHealth.toFixed(1)}×`,
          String(row.unexpectedAnswers),
        ]),
      ),
    );
    const path = writeResult('control-plane', {
      method:
        'autocannon against local/api-server.ts in its own process over 127.0.0.1; DynamoDB Local and s3rver; StartExecution answered in-process by aws-sdk-client-mock; medians over rounds; ratios to GET /v1/health of the same round',
      connections: CONNECTIONS,
      requestsPerRoute: REQUESTS_PER_ROUND,
      rounds: ROUNDS,
      routes: rows,
    });
    console.log(`\nwrote ${path}`);
  } finally {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
    await emulators.stop();
  }
}

await main();
