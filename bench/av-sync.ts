/**
 * A/V sync of the real recorder, measured in its files: recordings of the test meeting page that
 * flashes and beeps on the same planned frame (mode=sync, what the av-sync test checks once per run),
 * and one longer recording of the same pairs received over a real WebRTC connection and shown in a
 * <video> (mode=webrtc-sync), where Chromium's own WebRTC playout decides when each is shown.
 *
 * Options: --recordings 10 --seconds 10 --webrtc-seconds 40
 */
import { measureSync } from '../recorder-container/test/support/media-analysis.js';
import { type Stage, sleep, startStage } from '../recorder-container/test/support/recording-session.js';
import { option } from './support/args.js';
import { median, table, writeResult } from './support/report.js';

const RECORDINGS = Number(option('recordings', '10'));
const SECONDS = Number(option('seconds', '10'));
const WEBRTC_SECONDS = Number(option('webrtc-seconds', '40'));
/** ITU-R BT.1359 detectability thresholds (ms): audio at most 45 ahead, at most 125 behind. */
const WINDOW = { lead: -45, lag: 125 };

async function record(stage: Stage, page: string, seconds: number) {
  const recording = stage.record(page);
  await recording.process.waitFor('recording_started');
  await sleep(seconds * 1000);
  recording.process.child.kill('SIGTERM');
  if ((await recording.process.exited) !== 0) throw new Error(`recorder of ${page} failed`);
  const sync = await measureSync(await recording.download());
  const calibration = recording.process.find('sync_calibration');
  const verified = recording.process.find('verified');
  const latencies = (verified?.['pictureLatencyMs'] as number[] | undefined) ?? [];
  return {
    ...sync,
    audioPathBeepsMs: calibration?.['offsetsMs'],
    pictureLatencyMs: { first: latencies[0], min: Math.min(...latencies), max: Math.max(...latencies) },
    realignments: verified?.['realignments'],
  };
}

const inside = (ms: number) => ms >= WINDOW.lead && ms <= WINDOW.lag;

const stage = await startStage();
try {
  const page = [];
  for (let index = 0; index < RECORDINGS; index += 1) {
    const sync = await record(stage, '/meeting?mode=sync', SECONDS);
    page.push(sync);
    console.log(
      `sync #${index + 1}: median ${sync.medianMs} ms (pairs ${sync.offsetsMs.join(' ')}; picture latency ${JSON.stringify(sync.pictureLatencyMs)} ms)`,
    );
  }
  const webrtc = await record(stage, '/meeting?mode=webrtc-sync', WEBRTC_SECONDS);
  console.log(`webrtc-sync: ${webrtc.offsetsMs.join(' ')}`);

  const written = writeResult('av-sync', {
    recordings: RECORDINGS,
    seconds: SECONDS,
    webrtcSeconds: WEBRTC_SECONDS,
    window: WINDOW,
    page,
    webrtc,
  });
  const row = (name: string, recordings: number, values: number[], unit: string) =>
    values.length === 0
      ? [name, String(recordings), '–', '–', '–', `0 ${unit}`]
      : [
          name,
          String(recordings),
          String(median(values)),
          String(Math.min(...values)),
          String(Math.max(...values)),
          `${values.filter(inside).length}/${values.length} ${unit}`,
        ];
  console.log(
    `\n${table(
      ['page', 'recordings', 'median ms', 'min ms', 'max ms', 'inside −45…+125'],
      [
        row(
          `flash + beep (${SECONDS} s each)`,
          page.length,
          page.map((sync) => sync.medianMs),
          'recordings',
        ),
        row('over WebRTC, first 10 pairs', 1, webrtc.offsetsMs.slice(0, 10), 'pairs'),
        row(`over WebRTC, last 10 pairs of ${WEBRTC_SECONDS} s`, 1, webrtc.offsetsMs.slice(-10), 'pairs'),
      ],
    )}`,
  );
  console.log(`written to ${written}`);
} finally {
  await stage.close();
}
