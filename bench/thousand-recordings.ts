/**
 * 1,000 recordings through the public API and the synthesized workflow in local mode, with a recorder that
 * has no browser (bench/support/fake-recorder.ts, the real recorder's reporter): start, wait for RECORDING,
 * stop, wait for the end. Every recording that ends anywhere but UPLOADED with stopReason "requested", or
 * whose host got no email or more than one, is a wrong state (target 0).
 *
 * Options: --count 1000 --concurrency 20 --max-minutes 30 (no new recordings are started after that; the
 * ones not started are reported as not run, not as wrong)
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { storedEmails } from '../local/demo/ses-mail.js';
import { option } from './support/args.js';
import {
  type RecordingView,
  startBenchLocalMode,
  startRecording,
  stopRecording,
  TERMINAL,
  waitFor,
} from './support/local-bench.js';
import { fixed, median, table, writeResult } from './support/report.js';

const COUNT = Number(option('count', '1000'));
const CONCURRENCY = Number(option('concurrency', '20'));
const MAX_MS = Number(option('max-minutes', '30')) * 60_000;
const FAKE = fileURLToPath(new URL('./support/fake-recorder.ts', import.meta.url));

interface Outcome {
  index: number;
  id?: string;
  host: string;
  status: string;
  stopReason?: string;
  error?: string;
  seconds: number;
}

const bench = await startBenchLocalMode({
  recorderCommand: [process.execPath, '--import', 'tsx', FAKE],
  recorderEnv: { FAKE_MAX_SECONDS: '300' },
});
const outcomes: Outcome[] = [];
const wrongSoFar = () =>
  outcomes.filter((outcome) => outcome.status !== 'UPLOADED' || outcome.stopReason !== 'requested').length;
const startedAt = Date.now();
let emailsByHost = new Map<string, number>();
try {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COUNT && Date.now() - startedAt < MAX_MS) {
        const index = next++;
        const host = `host-${index}-${process.pid}@example.com`;
        const began = Date.now();
        try {
          const { recording } = await startRecording(bench, host);
          await waitFor(bench, recording.id, (view) => view.status !== 'INVOKED', {
            timeoutMs: 180_000,
            intervalMs: 250,
          });
          await sleep(Math.random() * 500);
          await stopRecording(bench, recording.id, host);
          const final: RecordingView = await waitFor(
            bench,
            recording.id,
            (view) => TERMINAL.has(view.status),
            {
              timeoutMs: 180_000,
              intervalMs: 250,
            },
          );
          outcomes.push({
            index,
            id: recording.id,
            host,
            status: final.status,
            stopReason: String(final.stopReason),
            seconds: (Date.now() - began) / 1000,
          });
        } catch (error) {
          outcomes.push({
            index,
            host,
            status: 'UNFINISHED',
            error: String(error),
            seconds: (Date.now() - began) / 1000,
          });
        }
        if (outcomes.length % 50 === 0)
          console.error(`${outcomes.length}/${COUNT} done, ${wrongSoFar()} wrong so far`);
      }
    }),
  );
  // The email follows UPLOADED; give the last ones time to arrive.
  const deadline = Date.now() + 60_000;
  for (;;) {
    emailsByHost = new Map();
    for (const mail of await storedEmails(bench.local.endpoints.ses)) {
      for (const to of mail.destination.to) emailsByHost.set(to, (emailsByHost.get(to) ?? 0) + 1);
    }
    const missing = outcomes.filter(
      (outcome) =>
        outcome.status === 'UPLOADED' && ![...emailsByHost.keys()].some((to) => to.includes(outcome.host)),
    );
    if (missing.length === 0 || Date.now() > deadline) break;
    await sleep(1000);
  }
} finally {
  await bench.local.stop();
}
const elapsedSeconds = (Date.now() - startedAt) / 1000;

const emailsFor = (host: string) =>
  [...emailsByHost.entries()].filter(([to]) => to.includes(host)).reduce((sum, [, count]) => sum + count, 0);
const wrong = outcomes
  .map((outcome) => ({ ...outcome, emails: emailsFor(outcome.host) }))
  .filter(
    (outcome) => outcome.status !== 'UPLOADED' || outcome.stopReason !== 'requested' || outcome.emails !== 1,
  );
const byStatus: Record<string, number> = {};
for (const outcome of outcomes) byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;

console.log(
  table(
    [
      'recordings run',
      'concurrency',
      'wall s',
      'recordings/min',
      'median start→end s',
      'wrong states',
      'target',
    ],
    [
      [
        `${outcomes.length} of ${COUNT}`,
        String(CONCURRENCY),
        fixed(elapsedSeconds, 0),
        fixed((outcomes.length / elapsedSeconds) * 60, 1),
        fixed(median(outcomes.map((outcome) => outcome.seconds)), 2),
        String(wrong.length),
        wrong.length === 0 ? 'met' : 'missed',
      ],
    ],
  ),
);
console.log(`final states: ${JSON.stringify(byStatus)}`);
for (const outcome of wrong.slice(0, 10)) console.log(`wrong: ${JSON.stringify(outcome)}`);
console.log(
  `written to ${writeResult('thousand-recordings', { count: COUNT, run: outcomes.length, concurrency: CONCURRENCY, elapsedSeconds, byStatus, wrongStates: wrong.length, wrong: wrong.slice(0, 100) })}`,
);
