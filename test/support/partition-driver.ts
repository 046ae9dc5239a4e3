/**
 * The recording side of a partition test, run inside the namespace by partitioned-recording.ts: local
 * mode with the real recorder records the demo meeting once. It reads `stop` on stdin and reports on
 * stdout as `PARTITION {json}` lines: `ready` (the emulators' ports), `recording`, then `result` or
 * `error`. PARTITION_RECORDER_ENV (JSON) is the recorder's extra environment, PARTITION_RESOLUTION its
 * resolution.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalMode } from '../../local/local-mode.js';
import { clientFor, emailsTo, FREE_PORTS, startBody, waitForRecording } from '../e2e/local-mode.js';

const say = (event: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`PARTITION ${JSON.stringify({ event, ...fields })}\n`);

const peakBacklog = { parts: 0, bytes: 0, diskBytes: 0, oldestWaitingMs: 0 };
let backlogLines = 0;
/** Follows the recorder's `upload_backlog` lines; everything goes to stderr with PARTITION_VERBOSE. */
function follow(line: string): void {
  if (process.env.PARTITION_VERBOSE) process.stderr.write(`${line}\n`);
  const json = line.indexOf('{"at"');
  if (json < 0 || !line.includes('"upload_backlog"')) return;
  const backlog = JSON.parse(line.slice(json)) as Record<string, number>;
  backlogLines += 1;
  for (const key of Object.keys(peakBacklog) as (keyof typeof peakBacklog)[])
    peakBacklog[key] = Math.max(peakBacklog[key], Number(backlog[key] ?? 0));
}

const stdin = createInterface({ input: process.stdin });
const stopAsked = new Promise<void>((resolve) =>
  stdin.on('line', (line) => {
    if (line.trim() === 'stop') resolve();
  }),
);

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const local = await startLocalMode({
  ports: FREE_PORTS,
  dataDir: mkdtempSync(join(tmpdir(), 'meeting-recorder-partition-')),
  apiKeys: [{ clientId: 'partition', key: `mrk_partition_${Date.now()}` }],
  settings: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
  recorderEnv: JSON.parse(process.env.PARTITION_RECORDER_ENV ?? '{}') as Record<string, string>,
  log: follow,
});
process.once('SIGTERM', () => {
  void local.stop().finally(() => process.exit(143));
});
try {
  const port = (url: string) => Number(new URL(url).port);
  say('ready', {
    ports: {
      s3: port(local.endpoints.s3),
      dynamodb: port(local.endpoints.dynamodb),
      ses: port(local.endpoints.ses),
      sfn: port(local.endpoints.sfn),
      api: port(local.endpoints.api),
    },
  });
  const client = clientFor(local);
  const body = startBody(local, {
    meetingTitle: 'Partition meeting',
    resolution: process.env.PARTITION_RESOLUTION ?? '720p',
  });
  const started = await client.POST('/v1/recordings', { body });
  if (started.response.status !== 202)
    throw new Error(
      `start answered ${started.response.status}: ${JSON.stringify(started.data ?? started.error)}`,
    );
  const { id } = started.data!;
  const recording = await waitForRecording(client, id, (view) => view.status !== 'INVOKED');
  say('recording', { id, status: recording.status, startedAt: recording.startedAt });
  await stopAsked;
  const { response: stopped } = await client.POST('/v1/recordings/{id}/stop', {
    params: { path: { id } },
    body: {},
  });
  say('stopping', { status: stopped.status });
  const done = await waitForRecording(
    client,
    id,
    (view) => view.status === 'ERRORED' || view.email !== null,
    900_000,
  );
  // A duplicate email, if the workflow sent one, would follow within seconds.
  await sleep(3000);
  const emails = await emailsTo(local, body.host.email);
  say('result', { recording: done, emails: emails.map((mail) => mail.subject), peakBacklog, backlogLines });
} catch (error) {
  say('error', { message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
} finally {
  stdin.close();
  await local.stop();
}
