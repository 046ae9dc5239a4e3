/** Local mode on free ports with fresh data, and the API calls the local-mode benchmarks make. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiClient, apiClient, expectStatus } from '../../local/demo/api-client.js';
import { type LocalMode, type LocalModeOptions, startLocalMode } from '../../local/local-mode.js';

export const FREE_PORTS = { api: 0, dynamodb: 0, s3: 0, ses: 0, sfn: 0, sqs: 0, demo: 0 };

export interface BenchLocalMode {
  local: LocalMode;
  api: ApiClient;
}

export async function startBenchLocalMode(
  options: Pick<LocalModeOptions, 'recorderCommand' | 'recorderEnv' | 'waitOverridesMs'> = {},
): Promise<BenchLocalMode> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const key = `mrk_bench_${Date.now()}`;
  const local = await startLocalMode({
    ports: FREE_PORTS,
    dataDir: mkdtempSync(join(tmpdir(), 'meeting-recorder-bench-')),
    apiKeys: [{ clientId: 'bench', key }],
    settings: { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
    ...options,
    ...(process.env.BENCH_VERBOSE ? { log: (line: string) => console.error(line) } : {}),
  });
  return { local, api: apiClient(local.endpoints.api, key) };
}

export type RecordingView = { id: string; status: string } & Record<string, unknown>;

let meetings = 0;

/** POST /v1/recordings of the demo meeting; returns the recording and when the 202 arrived. */
export async function startRecording(
  bench: BenchLocalMode,
  hostEmail: string,
  meetingUrl = bench.local.endpoints.demoMeeting,
): Promise<{ recording: RecordingView; acceptedAtMs: number }> {
  meetings += 1;
  const answer = await bench.api.request('POST', '/v1/recordings', {
    meetingId: `bench-${process.pid}-${meetings}`,
    meetingUrl,
    meetingTitle: `Bench ${meetings}`,
    host: { email: hostEmail, name: 'Bench host', userId: 'u-bench' },
  });
  const acceptedAtMs = Date.now();
  expectStatus(answer, 202, 'start a recording');
  return { recording: answer.body as RecordingView, acceptedAtMs };
}

export async function getRecording(bench: BenchLocalMode, id: string): Promise<RecordingView> {
  return expectStatus(await bench.api.request('GET', `/v1/recordings/${id}`), 200, `GET ${id}`)
    .body as RecordingView;
}

export async function stopRecording(bench: BenchLocalMode, id: string, hostEmail: string): Promise<void> {
  const answer = await bench.api.request('POST', `/v1/recordings/${id}/stop`, {
    requestedBy: { email: hostEmail },
  });
  if (answer.status !== 202 && answer.status !== 200) {
    throw new Error(`stop ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/** Polls the recording until `done` accepts it. */
export async function waitFor(
  bench: BenchLocalMode,
  id: string,
  done: (recording: RecordingView) => boolean,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<RecordingView> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const recording = await getRecording(bench, id);
    if (done(recording)) return recording;
    if (Date.now() > deadline) {
      throw new Error(`recording ${id} still ${recording.status} after ${options.timeoutMs / 1000} s`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

export const TERMINAL = new Set(['UPLOADED', 'ERRORED', 'DELETED', 'FAILED', 'COMPLETED']);
