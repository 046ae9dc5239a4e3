/**
 * The real recorder against a baseline pipeline (Xvfb + Chromium + ffmpeg x11grab with the settings of
 * AWS's Chime recording sample), both recording the test meeting page on loopback, one after the other in
 * alternating order over several rounds. CPU-seconds and peak RSS are summed over every process of each
 * tree (read from /proc); frames are counted by decoding the files.
 *
 * Options: --seconds 60 --rounds 2 --resolutions 720p,1080p
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pictureFacts, probeMedia } from '../recorder-container/test/support/media-analysis.js';
import {
  recordedWallSeconds,
  type Stage,
  sleep,
  startStage,
} from '../recorder-container/test/support/recording-session.js';
import { option } from './support/args.js';
import { sampleTree, type TreeUsage } from './support/process-tree.js';
import { fixed, median, ratio, table, writeResult } from './support/report.js';

const SECONDS = Number(option('seconds', '60'));
const ROUNDS = Number(option('rounds', '2'));
const RESOLUTIONS = option('resolutions', '720p,1080p').split(',') as Array<'720p' | '1080p'>;
const SIZES = { '720p': [1280, 720], '1080p': [1920, 1080] } as const;
const FPS = 30;

interface Run {
  pipeline: 'recorder' | 'baseline';
  resolution: string;
  round: number;
  wallSeconds: number;
  usage: TreeUsage;
  steadyCpuSeconds: number;
  fileBytes: number;
  fileSeconds: number;
  frames: number;
  changingFps: number;
  longestFreezeSeconds: number;
  ffmpegDup?: number;
  ffmpegDrop?: number;
}

async function analyse(file: string) {
  const facts = await probeMedia(file);
  const picture = await pictureFacts(file, FPS);
  return {
    fileBytes: (await stat(file)).size,
    fileSeconds: facts.duration,
    frames: facts.video.frames ?? 0,
    changingFps: picture.changingFps,
    longestFreezeSeconds: picture.longestFreezeSeconds,
  };
}

async function runRecorder(stage: Stage, resolution: '720p' | '1080p', round: number): Promise<Run> {
  const recording = stage.record('/meeting', { RESOLUTION: resolution });
  const sampler = sampleTree(recording.process.child.pid!);
  await recording.process.waitFor('recording_started', 120_000);
  const cpuAtStart = sampler.cpuNow();
  await sleep(SECONDS * 1000);
  const cpuAtStop = sampler.cpuNow();
  recording.process.child.kill('SIGTERM');
  const code = await recording.process.exited;
  const usage = sampler.stop();
  if (code !== 0) throw new Error(`recorder exited with ${code}`);
  return {
    pipeline: 'recorder',
    resolution,
    round,
    wallSeconds: recordedWallSeconds(recording.process),
    usage,
    steadyCpuSeconds: cpuAtStop - cpuAtStart,
    ...(await analyse(await recording.download())),
  };
}

async function runBaseline(stage: Stage, resolution: '720p' | '1080p', round: number): Promise<Run> {
  const [width, height] = SIZES[resolution];
  const output = join(stage.scratch, `baseline-${resolution}-${round}.mp4`);
  const script = fileURLToPath(new URL('./support/baseline-pipeline.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      String(width),
      String(height),
      String(SECONDS),
      `${stage.meeting.origin}/meeting`,
      output,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  const sampler = sampleTree(child.pid!);
  let startedAt = 0;
  let stoppedAt = 0;
  let cpuAtStart = 0;
  let cpuAtStop = 0;
  let dup = 0;
  let drop = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [word, value] = line.split(' ');
    if (word === 'RECORDING_STARTED') {
      startedAt = Date.parse(value!);
      cpuAtStart = sampler.cpuNow();
    } else if (word === 'STOPPED') {
      stoppedAt = Date.parse(value!);
      cpuAtStop = sampler.cpuNow();
    } else if (word === 'FFMPEG') {
      dup = Number(/dup=(\d+)/.exec(line)?.[1]);
      drop = Number(/drop=(\d+)/.exec(line)?.[1]);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const usage = sampler.stop();
  if (code !== 0 || !startedAt || !stoppedAt) throw new Error(`baseline exited with ${code}`);
  return {
    pipeline: 'baseline',
    resolution,
    round,
    wallSeconds: (stoppedAt - startedAt) / 1000,
    usage,
    steadyCpuSeconds: cpuAtStop - cpuAtStart,
    ffmpegDup: dup,
    ffmpegDrop: drop,
    ...(await analyse(output)),
  };
}

const perMinute = (run: Run) => run.usage.cpuSeconds / (run.wallSeconds / 60);
const steadyPerMinute = (run: Run) => run.steadyCpuSeconds / (run.wallSeconds / 60);
const frameShare = (run: Run) => run.frames / (run.wallSeconds * FPS);
const kbps = (run: Run) => (run.fileBytes * 8) / run.fileSeconds / 1000;
const mib = (bytes: number) => bytes / 1024 / 1024;

const stage = await startStage();
const runs: Run[] = [];
try {
  for (const resolution of RESOLUTIONS) {
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Alternate which goes first, so that neither always runs on a warmer (or busier) machine.
      const order =
        round % 2 === 1 ? (['recorder', 'baseline'] as const) : (['baseline', 'recorder'] as const);
      for (const pipeline of order) {
        console.error(`${resolution} round ${round}: ${pipeline} for ${SECONDS} s`);
        const run =
          pipeline === 'recorder'
            ? await runRecorder(stage, resolution, round)
            : await runBaseline(stage, resolution, round);
        console.error(
          `  ${fixed(perMinute(run))} CPU-s/min (steady ${fixed(steadyPerMinute(run))}), ${run.frames} frames in ${fixed(run.wallSeconds)} s, ${fixed(mib(run.usage.peakRssBytes), 0)} MiB, ${fixed(kbps(run), 0)} kb/s`,
        );
        runs.push(run);
      }
    }
  }
} finally {
  await stage.close();
}

const summary = RESOLUTIONS.map((resolution) => {
  const of = (pipeline: Run['pipeline']) =>
    runs.filter((run) => run.resolution === resolution && run.pipeline === pipeline);
  const stats = (list: Run[]) => ({
    cpuSecondsPerMinute: median(list.map(perMinute)),
    steadyCpuSecondsPerMinute: median(list.map(steadyPerMinute)),
    peakRssMiB: median(list.map((run) => mib(run.usage.peakRssBytes))),
    peakPssMiB: median(list.map((run) => mib(run.usage.peakPssBytes))),
    effectiveFps: median(list.map((run) => run.frames / run.wallSeconds)),
    frameShare: median(list.map(frameShare)),
    changingFps: median(list.map((run) => run.changingFps)),
    repeatedFrames: median(
      list.map((run) => Math.max(0, run.frames - Math.round(run.changingFps * run.fileSeconds))),
    ),
    longestFreezeSeconds: median(list.map((run) => run.longestFreezeSeconds)),
    kbps: median(list.map(kbps)),
    mibPerMinute: median(list.map((run) => mib(run.fileBytes) / (run.wallSeconds / 60))),
  });
  const recorder = stats(of('recorder'));
  const baseline = stats(of('baseline'));
  return {
    resolution,
    recorder,
    baseline,
    cpuRatio: recorder.cpuSecondsPerMinute / baseline.cpuSecondsPerMinute,
    steadyCpuRatio: recorder.steadyCpuSecondsPerMinute / baseline.steadyCpuSecondsPerMinute,
    sizeRatio: recorder.kbps / baseline.kbps,
    /** Share of one vCPU left while recording (steady state), and of 2 GB left at peak. */
    oneVcpuHeadroom: 1 - recorder.steadyCpuSecondsPerMinute / 60,
    twoGbHeadroom: 1 - recorder.peakPssMiB / 2048,
  };
});

const rows = summary.flatMap((entry) => {
  const line = (name: string, stats: typeof entry.recorder) => [
    `${entry.resolution} ${name}`,
    fixed(stats.cpuSecondsPerMinute),
    fixed(stats.steadyCpuSecondsPerMinute),
    fixed(stats.peakRssMiB, 0),
    fixed(stats.peakPssMiB, 0),
    fixed(stats.effectiveFps, 2),
    `${fixed(stats.frameShare * 100, 2)} %`,
    fixed(stats.repeatedFrames, 0),
    fixed(stats.changingFps, 1),
    fixed(stats.kbps, 0),
  ];
  return [
    line('recorder', entry.recorder),
    line('baseline', entry.baseline),
    [
      `${entry.resolution} ratio`,
      ratio(entry.recorder.cpuSecondsPerMinute, entry.baseline.cpuSecondsPerMinute),
      ratio(entry.recorder.steadyCpuSecondsPerMinute, entry.baseline.steadyCpuSecondsPerMinute),
      ratio(entry.recorder.peakRssMiB, entry.baseline.peakRssMiB),
      ratio(entry.recorder.peakPssMiB, entry.baseline.peakPssMiB),
      ratio(entry.recorder.effectiveFps, entry.baseline.effectiveFps),
      '',
      '',
      '',
      ratio(entry.recorder.kbps, entry.baseline.kbps),
    ],
  ];
});
console.log(
  table(
    [
      `medians of ${ROUNDS} × ${SECONDS} s`,
      'CPU-s/min (all)',
      'CPU-s/min (recording)',
      'peak RSS MiB',
      'peak PSS MiB',
      'fps',
      'frames/expected',
      'repeated',
      'changing fps',
      'kb/s',
    ],
    rows,
  ),
);
for (const entry of summary) {
  console.log(
    `${entry.resolution}: 1 vCPU headroom while recording ${fixed(entry.oneVcpuHeadroom * 100, 0)} %, 2 GB headroom at peak PSS ${fixed(entry.twoGbHeadroom * 100, 0)} %`,
  );
}
console.log(
  `written to ${writeResult('recorder-efficiency', { seconds: SECONDS, rounds: ROUNDS, summary, runs })}`,
);
