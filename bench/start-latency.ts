/**
 * Start latency in local mode: from the API's 202 to RECORDING (the recorder's first real frame), for N
 * recordings of the demo meeting with the real recorder, one at a time. Two views of each: the item's own
 * startedAt − createdAt, and the client's 202 → first GET answering RECORDING (polled every 100 ms).
 *
 * Options: --count 5 --record-seconds 3 --calibration-seconds <n> (the recorder's AV_CALIBRATION_SECONDS,
 * 3 by default: the flash-and-beep shown before the meeting, which is part of the start latency)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { option } from './support/args.js';
import {
  getRecording,
  startBenchLocalMode,
  startRecording,
  stopRecording,
  TERMINAL,
  waitFor,
} from './support/local-bench.js';
import { fixed, median, table, writeResult } from './support/report.js';

const COUNT = Number(option('count', '5'));
const RECORD_SECONDS = Number(option('record-seconds', '3'));
const TARGET_SECONDS = 5;
const CALIBRATION = option('calibration-seconds', '');

interface Sample {
  id: string;
  itemSeconds: number;
  observedSeconds: number;
  finalStatus: string;
}

const bench = await startBenchLocalMode(
  CALIBRATION === '' ? {} : { recorderEnv: { AV_CALIBRATION_SECONDS: CALIBRATION } },
);
const samples: Sample[] = [];
try {
  for (let index = 0; index < COUNT; index += 1) {
    const host = `host-${index}@example.com`;
    const { recording, acceptedAtMs } = await startRecording(bench, host);
    const live = await waitFor(bench, recording.id, (view) => view.status !== 'INVOKED', {
      timeoutMs: 120_000,
    });
    const observedSeconds = (Date.now() - acceptedAtMs) / 1000;
    if (live.status !== 'RECORDING') throw new Error(`${recording.id} went to ${live.status}`);
    const itemSeconds = (Date.parse(String(live.startedAt)) - Date.parse(String(live.createdAt))) / 1000;
    await sleep(RECORD_SECONDS * 1000);
    await stopRecording(bench, recording.id, host);
    const final = await waitFor(bench, recording.id, (view) => TERMINAL.has(view.status), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    samples.push({ id: recording.id, itemSeconds, observedSeconds, finalStatus: final.status });
    console.error(
      `#${index + 1}: startedAt − createdAt ${fixed(itemSeconds, 2)} s, 202 → RECORDING seen ${fixed(observedSeconds, 2)} s, ended ${final.status}`,
    );
  }
  // Nothing left running before local mode stops.
  for (const sample of samples) await getRecording(bench, sample.id);
} finally {
  await bench.local.stop();
}

const stats = (values: number[]) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});
const item = stats(samples.map((sample) => sample.itemSeconds));
const observed = stats(samples.map((sample) => sample.observedSeconds));
console.log(
  table(
    [`${COUNT} recordings, one at a time`, 'median s', 'min s', 'max s', `target ≤ ${TARGET_SECONDS} s`],
    [
      [
        'startedAt − createdAt (item)',
        fixed(item.median, 2),
        fixed(item.min, 2),
        fixed(item.max, 2),
        item.median <= TARGET_SECONDS ? 'met' : 'missed',
      ],
      [
        '202 → RECORDING (client, 100 ms poll)',
        fixed(observed.median, 2),
        fixed(observed.min, 2),
        fixed(observed.max, 2),
        observed.median <= TARGET_SECONDS ? 'met' : 'missed',
      ],
    ],
  ),
);
console.log(
  `written to ${writeResult('start-latency', { count: COUNT, calibrationSeconds: CALIBRATION || 'default', targetSeconds: TARGET_SECONDS, item, observed, samples })}`,
);
