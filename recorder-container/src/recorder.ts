import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseAllowedOrigins } from '../../lambdas/domain/meeting-url.js';
import { CONTENT_TYPES, RESOLUTION_SIZE } from '../../lambdas/domain/recording.js';
import { ActivityMonitor } from './activity-monitor.js';
import { AudioCapture, wallSeconds } from './audio-capture.js';
import { type AudioSink, startAudioSink } from './audio-sink.js';
import type { RecorderEnv } from './config.js';
import { startVirtualDisplay, type VirtualDisplay } from './display.js';
import { decideEgress, type EgressGuard, startEgressGuard } from './egress-guard.js';
import { type Encoder, FRAME_RATE, startEncoder } from './encoder.js';
import { errorMessage, log } from './log.js';
import { MeetingBrowser, MeetingUnreachableError } from './meeting-browser.js';
import { checkMeetingUrl } from './meeting-url-policy.js';
import { PAINT_PROBE_PX, PictureLatency, TYPICAL_PICTURE_LATENCY_SECONDS } from './paint-probe.js';
import { probeFile } from './probe.js';
import { createReporter, type RecorderReport, type Reporter } from './reporter.js';
import { type ScreenSampler, startScreenSampler } from './screen-sampler.js';
import { StopSignal } from './stop-signal.js';
import { StreamingUpload, UploadFailedError } from './streaming-upload.js';
import {
  calibrateSync,
  type SyncCalibration,
  TARGET_AUDIO_LAG_SECONDS,
  TYPICAL_AUDIO_PATH_SECONDS,
} from './sync-calibration.js';
import { discoverTaskArn } from './task-arn.js';

/** A failure reported to the workflow as `Recorder.<code>`. */
export class RecorderFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function failureCode(error: unknown): string {
  if (error instanceof RecorderFailure) return error.code;
  if (error instanceof MeetingUnreachableError) return 'MeetingUnreachable';
  if (error instanceof UploadFailedError) return 'UploadFailed';
  return 'Internal';
}

/** The sound is moved when the picture latency in force is this far from the one it follows (s). */
const REALIGN_SECONDS = 0.01;

/** Runs the given callback every `seconds`, never overlapping itself; errors are logged. */
function every(seconds: number, what: string, callback: () => Promise<void> | void): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await callback();
    } catch (error) {
      log(`${what}_failed`, { error: errorMessage(error) });
    } finally {
      running = false;
    }
  }, seconds * 1000);
  return () => clearInterval(timer);
}

interface Resources {
  workDir?: string;
  guard?: EgressGuard;
  display?: VirtualDisplay;
  audio?: AudioSink;
  browser?: MeetingBrowser;
  encoder?: Encoder;
  capture?: AudioCapture;
  sampler?: ScreenSampler;
  upload?: StreamingUpload;
  timers: Array<() => void>;
}

async function release(resources: Resources): Promise<void> {
  for (const stopTimer of resources.timers) stopTimer();
  await resources.encoder?.stop().catch(() => undefined);
  await resources.capture?.stop().catch(() => undefined);
  await resources.sampler?.stop().catch(() => undefined);
  await resources.browser?.close().catch(() => undefined);
  await resources.audio?.stop().catch(() => undefined);
  await resources.display?.stop().catch(() => undefined);
  await resources.guard?.close().catch(() => undefined);
  if (resources.workDir) {
    // Chromium's helpers may still be writing their profile for a moment after the browser exits.
    await rm(resources.workDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(
      (error) => log('cleanup_failed', { error: errorMessage(error) }),
    );
  }
}

/** Records the meeting until one of the stop causes fires; returns the process exit code. */
export async function runRecorder(env: RecorderEnv): Promise<number> {
  const reporter: Reporter = createReporter({
    tableName: env.TABLE_NAME,
    taskToken: env.TASK_TOKEN,
    recordingId: env.RECORDING_ID,
    callTimeoutMs: env.CALL_TIMEOUT_SECONDS * 1000,
    meetingUrl: env.MEETING_URL,
  });
  const stop = new StopSignal();
  const onSignal = (signal: NodeJS.Signals) => stop.trigger('interrupted', signal);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const resources: Resources = { timers: [] };
  resources.timers.push(
    every(env.HEARTBEAT_SECONDS, 'heartbeat', async () => {
      if (!(await reporter.heartbeat()))
        stop.trigger('interrupted', 'the workflow no longer waits for this task');
    }),
  );
  try {
    const report = await record(env, reporter, stop, resources);
    await reporter.succeeded(report);
    return 0;
  } catch (error) {
    await reporter.failed(failureCode(error), errorMessage(error)).catch((callbackError) => {
      log('failure_report_failed', { error: errorMessage(callbackError) });
    });
    return 1;
  } finally {
    await release(resources);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

async function record(
  env: RecorderEnv,
  reporter: Reporter,
  stop: StopSignal,
  resources: Resources,
): Promise<RecorderReport> {
  const allowedOrigins = parseAllowedOrigins(env.ALLOWED_MEETING_ORIGINS);
  const verdict = checkMeetingUrl(env.MEETING_URL, {
    allowedOrigins,
    allowLoopbackHttp: env.ALLOW_LOOPBACK_HTTP,
  });
  if (!verdict.ok) throw new RecorderFailure('UrlRefused', `meeting URL refused: ${verdict.reason}`);
  const meetingPort = Number(verdict.url.port || (verdict.url.protocol === 'https:' ? 443 : 80));
  const rules = { loopbackPorts: env.ALLOW_LOOPBACK_HTTP ? [meetingPort, ...env.LOOPBACK_PORTS] : [] };
  const firstHop = await decideEgress(verdict.url.hostname, meetingPort, rules);
  if (!firstHop.allowed && !firstHop.reason.startsWith('cannot resolve')) {
    throw new RecorderFailure('UrlRefused', `meeting URL refused: ${firstHop.reason}`);
  }

  const { width, height } = RESOLUTION_SIZE[env.RESOLUTION];
  resources.workDir = await mkdtemp(join(tmpdir(), 'recorder-'));
  resources.guard = await startEgressGuard(rules);
  resources.display = await startVirtualDisplay(width + PAINT_PROBE_PX, height, FRAME_RATE);
  resources.audio = await startAudioSink(resources.workDir);
  const capture = AudioCapture.start(resources.audio.server, resources.audio.monitor);
  resources.capture = capture;
  log('environment_ready', { display: resources.display.name, workDir: resources.workDir });

  const display = resources.display;
  let calibration: SyncCalibration | undefined;
  // The sound goes where the picture of the same moment lands in the file: the picture latency measured
  // in the meeting's own document, against the audio path measured before it (see README, A/V sync).
  const audioDelayFor = (pictureLatencySeconds: number) =>
    TARGET_AUDIO_LAG_SECONDS +
    pictureLatencySeconds -
    (calibration?.audioPathSeconds ?? TYPICAL_AUDIO_PATH_SECONDS);
  let realignments = 0;
  const pictureLatency = new PictureLatency(() => {
    const latency = pictureLatency.latencySeconds;
    const current = capture.delaySeconds;
    if (latency === undefined || current === undefined) return;
    const wanted = audioDelayFor(latency);
    if (Math.abs(wanted - current) < REALIGN_SECONDS) return;
    log('audio_realigned', {
      pictureLatencyMs: Math.round(latency * 1000),
      fromMs: Math.round(current * 1000),
      toMs: Math.round(wanted * 1000),
    });
    capture.delay(wanted);
    realignments += 1;
  });
  const browser = new MeetingBrowser(
    {
      executablePath: env.CHROMIUM_PATH,
      display: resources.display.name,
      pulseServer: resources.audio.server,
      proxyUrl: resources.guard.proxyUrl,
      width,
      height,
      workDir: resources.workDir,
      meetingUrl: verdict.url.href,
      allowedOrigins,
      pageLoadTimeoutMs: env.PAGE_LOAD_TIMEOUT_SECONDS * 1000,
      sandbox: env.CHROMIUM_SANDBOX,
      beforeFirstMeeting: async (page) => {
        if (env.AV_CALIBRATION_SECONDS <= 0) return;
        try {
          calibration = await calibrateSync(page, capture, env.AV_CALIBRATION_SECONDS);
        } catch (error) {
          log('sync_calibration_failed', { error: errorMessage(error) });
        }
      },
    },
    {
      onMeetingEnded: (detail) => stop.trigger('meeting_ended', detail),
      onUnrecoverable: (error) => stop.trigger('recorder_failed', `browser: ${error.message}`),
      onPaintProbe: (frameAtSeconds, lit) => pictureLatency.flipped(frameAtSeconds, lit),
    },
  );
  resources.browser = browser;
  const opened = browser.open(Date.now() + env.PAGE_LOAD_DEADLINE_SECONDS * 1000);
  const stoppedFirst = await Promise.race([opened.then(() => false), stop.stopped.then(() => true)]);
  if (stoppedFirst) {
    opened.catch(() => undefined);
    throw new RecorderFailure(
      'StoppedBeforeStart',
      `stopped before the meeting showed: ${stop.cause?.detail}`,
    );
  }

  const s3 = new S3Client({
    requestHandler: {
      connectionTimeout: env.UPLOAD_CONNECT_TIMEOUT_SECONDS * 1000,
      requestTimeout: env.UPLOAD_REQUEST_TIMEOUT_SECONDS * 1000,
      // Without it, a request past its timeout only logs a warning and goes on waiting.
      throwOnRequestTimeout: true,
    },
  });
  const upload = new StreamingUpload({
    s3,
    bucket: env.BUCKET_NAME,
    key: env.OBJECT_KEY,
    contentType: CONTENT_TYPES[env.FORMAT],
    partBytes: env.UPLOAD_PART_BYTES,
    boxAligned: env.FORMAT === 'mp4',
    faststart: true,
    matroskaCues: true,
    retryWindowMs: env.UPLOAD_RETRY_WINDOW_SECONDS * 1000,
    backoffMaxMs: env.UPLOAD_BACKOFF_MAX_SECONDS * 1000,
    spool: {
      directory: join(env.UPLOAD_SPOOL_DIR ?? tmpdir(), `recorder-spool-${env.RECORDING_ID}`),
      memoryParts: env.UPLOAD_MEMORY_PARTS,
      maxDiskBytes: env.UPLOAD_SPOOL_MAX_BYTES,
    },
    backlogEveryMs: env.UPLOAD_BACKLOG_SECONDS * 1000,
    onFailure: (error) => stop.trigger('recorder_failed', `upload: ${error.message}`),
  });
  resources.upload = upload;
  await upload.begin();

  const monitor = new ActivityMonitor();
  await capture.calibrated();
  const originSeconds = wallSeconds();
  const encoder = startEncoder({
    display: resources.display.name,
    width,
    height,
    format: env.FORMAT,
    preset: env.VIDEO_PRESET,
    originSeconds,
  });
  resources.encoder = encoder;
  capture.attach(encoder.audioInput, originSeconds, audioDelayFor(TYPICAL_PICTURE_LATENCY_SECONDS));
  encoder.onProbe((frameAtSeconds, luma) => pictureLatency.encoded(frameAtSeconds, luma));
  void capture.exited.then((exit) => {
    if (!stop.cause)
      stop.trigger('recorder_failed', `audio capture exited (code ${exit.code}, signal ${exit.signal})`);
  });
  encoder.file.on('data', (chunk: Buffer) => upload.write(chunk));
  const sampler = startScreenSampler(display.name, width, height);
  resources.sampler = sampler;
  monitor.watchScreen(sampler.frames);
  capture.listener = (block) => monitor.onAudio(block);
  const startedAtMs = Date.now();
  const startedAt = new Date(startedAtMs).toISOString();
  log('recording_started', { startedAt, encoderPid: encoder.process.pid, browserPid: browser.pid });
  void encoder.exited.then((exit) => {
    if (!stop.cause)
      stop.trigger('recorder_failed', `ffmpeg exited (code ${exit.code}, signal ${exit.signal})`);
  });

  const taskArn = await discoverTaskArn(env.TASK_ARN, env.ECS_CONTAINER_METADATA_URI_V4);
  await reporter
    .recording(startedAt, taskArn)
    .catch((error) => log('status_failed', { error: errorMessage(error) }));

  const maxDurationMs = env.MAX_DURATION_SECONDS * 1000;
  const deadline = setTimeout(
    () => stop.trigger('max_duration', `${env.MAX_DURATION_SECONDS} s reached`),
    maxDurationMs,
  );
  resources.timers.push(() => clearTimeout(deadline));
  for (const secondsLeft of env.WARNING_SECONDS) {
    if (secondsLeft >= env.MAX_DURATION_SECONDS) continue;
    const warning = setTimeout(
      () => {
        log('warning', { secondsLeft });
        reporter.warning(secondsLeft).catch((error) => log('warning_failed', { error: errorMessage(error) }));
      },
      maxDurationMs - secondsLeft * 1000,
    );
    resources.timers.push(() => clearTimeout(warning));
  }
  resources.timers.push(
    every(env.STOP_POLL_SECONDS, 'stop_poll', async () => {
      if (await reporter.stopRequested()) stop.trigger('requested', 'stop requested through the API');
    }),
  );
  monitor.reset();
  resources.timers.push(
    every(1, 'idle_check', () => {
      if (monitor.idleMs() >= env.IDLE_TIMEOUT_SECONDS * 1000) {
        stop.trigger('idle', `no sound and a still screen for ${env.IDLE_TIMEOUT_SECONDS} s`);
      }
    }),
  );

  // The one finalise path, whatever the cause.
  const { reason } = await stop.stopped;
  const stoppedAtMs = Date.now();
  const encoderDied = encoder.process.exitCode !== null || encoder.process.signalCode !== null;
  const partial = reason === 'interrupted' || reason === 'recorder_failed' || browser.gaps > 0;
  await reporter
    .uploading(new Date(stoppedAtMs).toISOString(), reason, partial)
    .catch((error) => log('status_failed', { error: errorMessage(error) }));
  const encoderExit = await encoder.stop();
  log('encoder_stopped', { ...encoderExit, died: encoderDied });
  await browser.close();
  const sizeBytes = await upload.finish();
  if (sizeBytes === 0)
    throw new RecorderFailure('NothingRecorded', 'the encoder produced no complete fragment');

  const wallClockSeconds = (stoppedAtMs - startedAtMs) / 1000;
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: env.BUCKET_NAME, Key: env.OBJECT_KEY }), {
    expiresIn: 900,
  });
  const probed = await probeFile(url).catch((error) => {
    log('probe_failed', { error: errorMessage(error) });
    return undefined;
  });
  const report: RecorderReport = {
    objectKey: env.OBJECT_KEY,
    sizeBytes,
    // A file whose index could not be written (live Matroska) may carry no duration: wall clock then.
    durationSeconds: Math.round((probed?.durationSeconds || wallClockSeconds) * 10) / 10,
    partial,
    stopReason: reason,
    file: {
      videoCodec: probed?.videoCodec ?? null,
      audioCodec: probed?.audioCodec ?? null,
      width: probed?.width ?? null,
      height: probed?.height ?? null,
    },
    checks: { blackVideo: !monitor.sawPicture, silentAudio: !monitor.sawSound },
  };
  log('verified', {
    wallClockSeconds,
    probed,
    gaps: browser.gaps,
    browserGapMs: browser.gapMs,
    audioClockRefinementMs: capture.refinementMs,
    calibration,
    pictureLatencyMs: pictureLatency.measuredMs,
    audioDelayMs: Math.round((capture.delaySeconds ?? 0) * 1000),
    realignments,
    peakBacklog: upload.peakBacklog,
  });
  return report;
}
