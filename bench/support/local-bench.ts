/** Local mode on free ports with fresh data, and the API calls the local-mode benchmarks make. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRecordingsClient,
  type Recording,
  RecordingsApiError,
  type RecordingsClient,
  waitForRecording,
} from '../../client/src/index.js';
import { type LocalMode, type LocalModeOptions, startLocalMode } from '../../local/local-mode.js';

export const FREE_PORTS = { api: 0, dynamodb: 0, s3: 0, ses: 0, sfn: 0, sqs: 0, demo: 0 };

export interface BenchLocalMode {
  local: LocalMode;
  api: RecordingsClient;
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
  return { local, api: createRecordingsClient({ baseUrl: local.endpoints.api, apiKey: key }) };
}

export type RecordingView = Recording;

let meetings = 0;

/** POST /v1/recordings of the demo meeting; returns the recording and when the 202 arrived. */
export async function startRecording(
  bench: BenchLocalMode,
  hostEmail: string,
  meetingUrl = bench.local.endpoints.demoMeeting,
): Promise<{ recording: RecordingView; acceptedAtMs: number }> {
  meetings += 1;
  const { data, error, response } = await bench.api.POST('/v1/recordings', {
    body: {
      meetingId: `bench-${process.pid}-${meetings}`,
      meetingUrl,
      meetingTitle: `Bench ${meetings}`,
      host: { email: hostEmail, name: 'Bench host', userId: 'u-bench' },
    },
  });
  const acceptedAtMs = Date.now();
  if (!data) throw RecordingsApiError.from(response, error);
  return { recording: data, acceptedAtMs };
}

export async function getRecording(bench: BenchLocalMode, id: string): Promise<RecordingView> {
  const { data, error, response } = await bench.api.GET('/v1/recordings/{id}', { params: { path: { id } } });
  if (!data) throw RecordingsApiError.from(response, error);
  return data;
}

export async function stopRecording(bench: BenchLocalMode, id: string, hostEmail: string): Promise<void> {
  const { error, response } = await bench.api.POST('/v1/recordings/{id}/stop', {
    params: { path: { id } },
    body: { requestedBy: { email: hostEmail } },
  });
  if (error) throw RecordingsApiError.from(response, error);
}

/** Polls the recording until `done` accepts it. */
export function waitFor(
  bench: BenchLocalMode,
  id: string,
  done: (recording: RecordingView) => boolean,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<RecordingView> {
  return waitForRecording(bench.api, id, done, {
    timeoutMs: options.timeoutMs,
    intervalMs: options.intervalMs ?? 100,
  });
}

export const TERMINAL = new Set(['UPLOADED', 'ERRORED', 'DELETED']);
