/**
 * Stop → email latency in local mode with the real recorder: recordings of the demo meeting of 1 and 5
 * minutes (15 more with --long), each stopped through the API; the time from the stop request to the host's
 * email in the SES emulator (its /store, polled every 200 ms). At the stop, the bytes already sent as
 * multipart parts are read from S3, so that the bytes still pending (final size − sent) can be extrapolated
 * to a 60-minute recording.
 *
 * Options: --minutes 1,5 (or --long for 1,5,15) --rounds 1
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type StoredEmail, storedEmails } from '../local/demo/ses-mail.js';
import { flag, option } from './support/args.js';
import {
  startBenchLocalMode,
  startRecording,
  stopRecording,
  TERMINAL,
  waitFor,
} from './support/local-bench.js';
import { uploadedPartBytes } from './support/pending-bytes.js';
import { fixed, median, table, writeResult } from './support/report.js';

const MINUTES = option('minutes', flag('long') ? '1,5,15' : '1,5')
  .split(',')
  .map(Number);
const ROUNDS = Number(option('rounds', '1'));
const TARGET_SECONDS = 10;

interface Sample {
  minutes: number;
  round: number;
  id: string;
  stopToEmailSeconds: number;
  stopToUploadedSeconds: number;
  sentAtStopBytes: number;
  finalBytes: number;
  pendingBytes: number;
  durationSeconds: number;
}

const bench = await startBenchLocalMode();
const bucket = bench.local.env.BUCKET_NAME!;
const samples: Sample[] = [];
let counter = 0;
try {
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const minutes of MINUTES) {
      counter += 1;
      const host = `host-${counter}-${Date.now()}@example.com`;
      const { recording } = await startRecording(bench, host);
      await waitFor(bench, recording.id, (view) => view.status !== 'INVOKED', { timeoutMs: 120_000 });
      console.error(`recording ${recording.id} for ${minutes} min`);
      await sleep(minutes * 60_000);
      const sent = await uploadedPartBytes(bucket).catch((error: unknown) => {
        console.error(`could not list the parts sent: ${String(error)}`);
        return { uploads: 0, bytes: Number.NaN };
      });
      const stopAt = Date.now();
      await stopRecording(bench, recording.id, host);
      let uploadedAt = 0;
      let email: StoredEmail | undefined;
      const deadline = stopAt + 300_000;
      while (!email && Date.now() < deadline) {
        email = (await storedEmails(bench.local.endpoints.ses)).find((mail) =>
          mail.destination.to.some((to) => to.includes(host)),
        );
        if (!email) await sleep(200);
      }
      const emailAt = Date.now();
      if (!email) throw new Error(`no email to ${host} within 300 s of the stop`);
      const final = await waitFor(bench, recording.id, (view) => TERMINAL.has(view.status), {
        timeoutMs: 120_000,
      });
      if (final.status !== 'UPLOADED') throw new Error(`${recording.id} ended ${final.status}`);
      uploadedAt = Date.parse(String(final.uploadedAt));
      const file = final.file as { sizeBytes?: number; durationSeconds?: number } | undefined;
      const finalBytes = Number(file?.sizeBytes ?? 0);
      const sample: Sample = {
        minutes,
        round,
        id: recording.id,
        stopToEmailSeconds: (emailAt - stopAt) / 1000,
        stopToUploadedSeconds: (uploadedAt - stopAt) / 1000,
        sentAtStopBytes: sent.bytes,
        finalBytes,
        pendingBytes: Math.max(0, finalBytes - sent.bytes),
        durationSeconds: Number(file?.durationSeconds ?? 0),
      };
      samples.push(sample);
      console.error(
        `  stop → email ${fixed(sample.stopToEmailSeconds, 2)} s (UPLOADED after ${fixed(sample.stopToUploadedSeconds, 2)} s); ${sample.pendingBytes} of ${finalBytes} bytes pending at the stop`,
      );
    }
  }
} finally {
  await bench.local.stop();
}

const kib = (bytes: number) => fixed(bytes / 1024, 0);
const rows = MINUTES.map((minutes) => {
  const of = samples.filter((sample) => sample.minutes === minutes);
  return {
    minutes,
    stopToEmailSeconds: median(of.map((sample) => sample.stopToEmailSeconds)),
    stopToUploadedSeconds: median(of.map((sample) => sample.stopToUploadedSeconds)),
    pendingBytes: median(of.map((sample) => sample.pendingBytes)),
    finalBytes: median(of.map((sample) => sample.finalBytes)),
  };
});
// The recorder uploads while it records, in parts of UPLOAD_PART_BYTES (8 MiB by default): what is pending
// at the stop is the part being filled plus the encoder's tail, a sawtooth bounded by the part size whatever
// the length. Then part 1 goes again with the full index (faststart): at most a part plus the new moov, about
// 1.1 MB for 60 minutes. A 60-minute recording's worst case is the sum; its time is estimated from the rate
// at which the measured runs sent what they sent after the stop.
const PART_BYTES = 8 * 1024 * 1024;
const MOOV_BYTES_60_MIN = 1.1e6;
const sentAfterStop = (sample: Sample) => sample.pendingBytes + Math.min(sample.finalBytes, PART_BYTES);
const first = rows[0]!;
const last = rows.at(-1)!;
const rates = samples
  .filter((sample) => sample.pendingBytes > 0 && sample.stopToUploadedSeconds > 0)
  .map((sample) => sentAfterStop(sample) / sample.stopToUploadedSeconds);
const pendingAt60 = 2 * PART_BYTES + MOOV_BYTES_60_MIN;
const worstStopToUploadedAt60 = rates.length > 0 ? pendingAt60 / median(rates) : Number.NaN;
console.log(
  table(
    [
      `medians of ${ROUNDS}`,
      'stop → email s',
      'stop → UPLOADED s',
      'pending at stop KiB',
      'file KiB',
      `target ≤ ${TARGET_SECONDS} s`,
    ],
    rows.map((row) => [
      `${row.minutes} min`,
      fixed(row.stopToEmailSeconds, 2),
      fixed(row.stopToUploadedSeconds, 2),
      kib(row.pendingBytes),
      kib(row.finalBytes),
      row.stopToEmailSeconds <= TARGET_SECONDS ? 'met' : 'missed',
    ]),
  ),
);
console.log(
  `ratio ${last.minutes} min / ${first.minutes} min: ${fixed(last.stopToEmailSeconds / first.stopToEmailSeconds, 2)}×; bytes to send at a 60 min stop: ≤ ${kib(pendingAt60)} KiB (the last part, part 1 again and the moov), worst-case stop → UPLOADED ≈ ${fixed(worstStopToUploadedAt60, 1)} s at the measured rate`,
);
console.log(
  `written to ${writeResult('stop-to-email', { minutes: MINUTES, rounds: ROUNDS, targetSeconds: TARGET_SECONDS, rows, pendingAt60Bytes: pendingAt60, worstStopToUploadedAt60, samples })}`,
);
