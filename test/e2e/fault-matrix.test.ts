import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingError } from '../../lambdas/domain/recording-errors.js';
import { type LocalMode, STATE_MACHINE_ARN } from '../../local/local-mode.js';
import type { WorkflowFault } from '../../local/workflow/index.js';
import { clientFor, emailsTo, SCRIPTED_RECORDER, startBody, startTestLocalMode } from './local-mode.js';

// The synthesized workflow with the real handlers against DynamoDB Local, s3rver and the SES emulator; every
// Task state in turn fails 1…4 times with an error AWS really produces, injected by local mode by state name
// (local/workflow/workflow-faults.ts). The recorder is scripted (test/support/scripted-recorder.ts): no browser.

type Path = 'normal' | 'salvaged' | 'nothing-recorded';
interface Case {
  readonly id: number;
  readonly state: string;
  readonly error: string;
  readonly times: number;
  readonly path: Path;
  readonly faults: WorkflowFault[];
}

const TIMES = [1, 2, 4];
const LAMBDA_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'dynamodb:ProvisionedThroughputExceededException',
];
const fault = (state: string, error: string, times: number): WorkflowFault => {
  const [service, name] = error.includes(':') ? error.split(':') : [undefined, error];
  return { state, error: name!, times, ...(service ? { service: service as WorkflowFault['service'] } : {}) };
};

function matrix(): Case[] {
  const cases: Omit<Case, 'id'>[] = [];
  const add = (state: string, errors: string[], path: Path, extra: WorkflowFault[] = []) => {
    for (const error of errors) {
      for (const times of TIMES)
        cases.push({ state, error, times, path, faults: [...extra, fault(state, error, times)] });
    }
  };
  add(
    'RunRecorder',
    ['AmazonECS.Unknown', 'ECS.InvalidParameterException', 'Recorder.StoppedBeforeRecording'],
    'normal',
  );
  add('NoteLaunchDelay', LAMBDA_ERRORS, 'normal', [fault('RunRecorder', 'AmazonECS.Unknown', 1)]);
  add('FinalizeRecording', [...LAMBDA_ERRORS, 's3:SlowDown'], 'normal');
  add('NotifyHost', [...LAMBDA_ERRORS, 'ses:TooManyRequestsException'], 'normal');
  add('SalvageRecording', [...LAMBDA_ERRORS, 's3:SlowDown'], 'salvaged');
  add('MarkErrored', LAMBDA_ERRORS, 'nothing-recorded');
  return cases.map((c, id) => ({ ...c, id }));
}

interface Outcome {
  readonly case: Case;
  readonly status: string;
  readonly execution: string;
  readonly injected: number;
  readonly emails: number;
  readonly meetingFree: boolean;
  readonly launch: unknown;
  readonly partial: unknown;
  readonly error: unknown;
}

const CASES = matrix();
const CONCURRENCY = 6;
let local: LocalMode;
const outcomes: Outcome[] = [];

beforeAll(async () => {
  const taskStates = [
    'RunRecorder',
    'NoteLaunchDelay',
    'FindRecorderTask',
    'StopRecorderTask',
    'SalvageRecording',
    'FinalizeRecording',
    'NotifyHost',
    'RecordEmailFailure',
    'MarkErrored',
  ];
  local = await startTestLocalMode({
    apiKeys: [{ clientId: 'fault-matrix', key: 'mrk_e2e_fault_matrix' }],
    recorderCommand: SCRIPTED_RECORDER,
    // The backoff's shape is asserted on the synthesized definition (test/infra); here it only has to be short.
    retryIntervalOverridesMs: Object.fromEntries(taskStates.map((name) => [name, 20])),
    waitOverridesMs: { WaitBeforeRelaunch: 50, WaitForRecorderExit: 0 },
    workflowFaults: ({ input }) => {
      const url = new URL((input as { meetingUrl: string }).meetingUrl);
      const id = url.searchParams.get('case');
      if (id === 'free-again') return [fault('RunRecorder', 'Recorder.MeetingUnreachable', 1)];
      return CASES[Number(id)]?.faults ?? [];
    },
  });
}, 180_000);
afterAll(() => local?.stop());

async function runCase(c: Case): Promise<Outcome> {
  const client = clientFor(local);
  const url = new URL(local.endpoints.demoMeeting);
  url.searchParams.set('case', String(c.id));
  if (c.path !== 'normal')
    url.searchParams.set('script', c.path === 'salvaged' ? 'crash-after-upload' : 'nothing-recorded');
  const body = startBody(local, { meetingUrl: url.href });
  const started = await client.POST('/v1/recordings', { body });
  if (started.response.status !== 202)
    throw new Error(`case ${c.id}: start answered ${started.response.status}`);
  const { id } = started.data!;
  const execution = local.workflow.runner.describe(
    `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${id}`,
  );
  await execution.done;
  // An error answer is reported in the matrix (status 'undefined'), not thrown.
  const { data: recording } = await client.GET('/v1/recordings/{id}', { params: { path: { id } } });
  const emails = (await emailsTo(local, body.host.email)).length;
  // The meeting is free again: a new start of it is accepted (and ends at once: its launch is made to fail).
  const freeUrl = new URL(local.endpoints.demoMeeting);
  freeUrl.searchParams.set('case', 'free-again');
  const again = await client.POST('/v1/recordings', {
    body: { ...body, meetingUrl: freeUrl.href, host: { ...body.host, email: `again-${body.host.email}` } },
  });
  if (again.response.status === 202) {
    const next = again.data!.id;
    await local.workflow.runner.describe(
      `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${next}`,
    ).done;
  }
  return {
    case: c,
    status: String(recording?.status),
    execution: execution.status,
    injected: [...(execution.faults?.injected.values() ?? [])].reduce((a, b) => a + b, 0),
    emails,
    meetingFree: again.response.status === 202,
    launch: recording?.launch,
    partial: recording?.partial,
    error: recording?.error,
  };
}

describe('fault matrix: every Task state × realistic AWS errors × 1…4 failures', () => {
  it('each case ends UPLOADED with one email (ERRORED only when nothing was recorded), the meeting free again', async () => {
    const queue = [...CASES];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) outcomes.push(await runCase(next));
      }),
    );
    outcomes.sort((a, b) => a.case.id - b.case.id);

    const expected = (path: Path) => (path === 'nothing-recorded' ? 'ERRORED' : 'UPLOADED');
    const rows = new Map<
      string,
      {
        cases: number;
        faults: number;
        lost: number;
        stuck: number;
        duplicates: number;
        meetingsLocked: number;
      }
    >();
    for (const outcome of outcomes) {
      const key = `${outcome.case.state} ${outcome.case.error}`;
      const row = rows.get(key) ?? {
        cases: 0,
        faults: 0,
        lost: 0,
        stuck: 0,
        duplicates: 0,
        meetingsLocked: 0,
      };
      const live = ['INVOKED', 'RECORDING', 'UPLOADING'].includes(outcome.status);
      row.cases += 1;
      row.faults += outcome.injected;
      if (!live && outcome.status !== expected(outcome.case.path)) row.lost += 1;
      if (live || outcome.execution === 'RUNNING') row.stuck += 1;
      if (outcome.emails > 1) row.duplicates += 1;
      if (!outcome.meetingFree) row.meetingsLocked += 1;
      rows.set(key, row);
    }
    const table = [...rows].map(([fault, row]) => ({ fault, ...row }));
    const totals = table.reduce(
      (sum, row) => ({
        cases: sum.cases + row.cases,
        faults: sum.faults + row.faults,
        lost: sum.lost + row.lost,
        stuck: sum.stuck + row.stuck,
        duplicates: sum.duplicates + row.duplicates,
        meetingsLocked: sum.meetingsLocked + row.meetingsLocked,
      }),
      { cases: 0, faults: 0, lost: 0, stuck: 0, duplicates: 0, meetingsLocked: 0 },
    );
    console.log(
      [
        '| Task state and error (each failing 1, 2, 4 times) | cases | faults injected | recordings lost | recordings stuck | duplicate emails | meetings left locked |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...table.map(
          (r) =>
            `| ${r.fault} | ${r.cases} | ${r.faults} | ${r.lost} | ${r.stuck} | ${r.duplicates} | ${r.meetingsLocked} |`,
        ),
        `| **all** | ${totals.cases} | ${totals.faults} | ${totals.lost} | ${totals.stuck} | ${totals.duplicates} | ${totals.meetingsLocked} |`,
      ].join('\n'),
    );
    mkdirSync('test-results', { recursive: true });
    writeFileSync(
      'test-results/fault-matrix.json',
      `${JSON.stringify({ totals, table, cases: outcomes.map(({ case: c, ...o }) => ({ state: c.state, fault: c.error, times: c.times, path: c.path, ...o })) }, null, 2)}\n`,
    );

    for (const outcome of outcomes) {
      const { case: c } = outcome;
      const label = `case ${c.id}: ${c.state}=${c.error}*${c.times} (${c.path})`;
      expect(outcome.status, label).toBe(expected(c.path));
      expect(outcome.emails, label).toBe(c.path === 'nothing-recorded' ? 0 : 1);
      expect(outcome.meetingFree, label).toBe(true);
      expect(outcome.injected, label).toBe(c.faults.reduce((sum, f) => sum + f.times, 0));
      if (c.path === 'salvaged') expect(outcome.partial, label).toBe(true);
      if (c.state === 'RunRecorder') {
        const reasons: Record<string, string> = {
          'AmazonECS.Unknown': 'capacity',
          'ECS.InvalidParameterException': 'throttled',
          'Recorder.StoppedBeforeRecording': 'task_stopped',
        };
        expect(outcome.launch, label).toMatchObject({ attempts: c.times, reason: reasons[c.error] });
      }
    }
    expect(totals).toMatchObject({ lost: 0, stuck: 0, duplicates: 0, meetingsLocked: 0 });
  });

  it('no capacity for the whole launch window: ERRORED as launch_failed, no internals, no email, the meeting free', async () => {
    const window = process.env.LAUNCH_RETRY_WINDOW_SECONDS;
    process.env.LAUNCH_RETRY_WINDOW_SECONDS = '2';
    try {
      CASES.push({
        id: CASES.length,
        state: 'RunRecorder',
        error: 'AmazonECS.Unknown',
        times: 1000,
        path: 'nothing-recorded',
        faults: [fault('RunRecorder', 'AmazonECS.Unknown', 1000)],
      });
      const outcome = await runCase(CASES.at(-1)!);
      expect(outcome).toMatchObject({ status: 'ERRORED', execution: 'FAILED', emails: 0, meetingFree: true });
      expect(outcome.injected).toBeGreaterThan(1);
      expect(outcome.launch).toMatchObject({ attempts: outcome.injected, reason: 'capacity' });
      expect((outcome.launch as { message: string }).message).not.toMatch(/arn:|\d{12}/);
      expect(outcome.error).toEqual(recordingError('launch_failed'));
    } finally {
      if (window === undefined) delete process.env.LAUNCH_RETRY_WINDOW_SECONDS;
      else process.env.LAUNCH_RETRY_WINDOW_SECONDS = window;
    }
  });
});
