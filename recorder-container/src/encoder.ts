import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { RecordingFormat } from '../../lambdas/domain/recording.js';
import { AUDIO_RATE } from './audio-capture.js';
import { PAINT_PROBE_PX } from './paint-probe.js';
import { type Exit, exitOf, scrubbedEnv, spawnLogged } from './processes.js';

export const FRAME_RATE = 30;

export interface EncoderOptions {
  display: string;
  /** The recorded area, at the screen's top left; the paint probe lies just right of it. */
  width: number;
  height: number;
  format: RecordingFormat;
  preset: string;
  /** Epoch seconds of the timeline's zero: video is stamped `wall clock − origin`; audio is fed to match. */
  originSeconds: number;
}

const LIVE_INPUT = ['-thread_queue_size', '1024', '-probesize', '32', '-analyzeduration', '0'];

/**
 * x11grab stamps frames with the wall clock; -copyts keeps those stamps (shifted by the shared origin)
 * instead of moving the input to start at zero. Audio arrives as raw PCM on fd 3, already aligned to
 * the same origin by AudioCapture, so its sample count is its timeline. The encoder has this one
 * output: side outputs (a 2 fps thumbnail stream was one) make ffmpeg's scheduler leave about a
 * second of audio queued, which a stop then loses.
 *
 * The grab includes the paint probe right of the recorded area. The fps filter puts frames on the
 * file's 30 fps grid inside the graph, so that the probe's luma is printed (on fd 4) with the very
 * timestamp the frame gets in the file; the probe branch ends in a nullsink, not in an output.
 */
export function encoderArgs(options: EncoderOptions): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'warning',
    '-copyts',
    ...LIVE_INPUT,
    '-itsoffset',
    (-options.originSeconds).toFixed(6),
    '-f',
    'x11grab',
    '-draw_mouse',
    '0',
    '-framerate',
    String(FRAME_RATE),
    '-video_size',
    `${options.width + PAINT_PROBE_PX}x${options.height}`,
    '-i',
    `${options.display}.0+0,0`,
    ...LIVE_INPUT,
    '-f',
    's16le',
    '-sample_rate',
    String(AUDIO_RATE),
    '-ch_layout',
    'stereo',
    '-i',
    'pipe:3',
    '-filter_complex',
    `[0:v]fps=${FRAME_RATE},split[grab][probe];[grab]crop=${options.width}:${options.height}:0:0[video];` +
      `[probe]crop=${PAINT_PROBE_PX}:${PAINT_PROBE_PX}:${options.width}:0,signalstats,` +
      // fd 4 is a socket, which only the pipe: protocol opens; direct=1 writes each frame's line at once.
      "metadata=print:key=lavfi.signalstats.YAVG:file='pipe\\:4':direct=1,nullsink",
    '-map',
    '[video]',
    '-map',
    '1:a',
    ...outputArgs(options.format, options.preset),
    'pipe:1',
  ];
}

/** Codecs and container: what the file is, whatever the inputs. */
export function outputArgs(format: RecordingFormat, preset: string): string[] {
  const container =
    format === 'mp4'
      ? ['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4']
      : ['-f', 'matroska', '-live', '1'];
  return [
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(FRAME_RATE),
    '-g',
    String(FRAME_RATE * 2),
    '-bf',
    '0',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    ...container,
  ];
}

export interface Encoder {
  process: ChildProcess;
  file: Readable;
  /** Raw PCM in: s16le, 48 kHz, stereo. */
  audioInput: Writable;
  /** The paint probe's luma in every encoded frame, in order: frame time as epoch seconds, luma 0–255. */
  onProbe(listener: (frameAtSeconds: number, luma: number) => void): void;
  exited: Promise<Exit>;
  /** Ends the capture cleanly, so that the last fragment is written; kills it if it hangs. */
  stop(): Promise<Exit>;
}

export function startEncoder(options: EncoderOptions): Encoder {
  const ffmpeg = spawnLogged('ffmpeg', 'ffmpeg', encoderArgs(options), {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    env: scrubbedEnv(process.env, { DISPLAY: options.display }),
  });
  const exited = exitOf(ffmpeg);
  const [, stdout, , audioInput, probeLines] = ffmpeg.stdio as unknown as Array<
    Readable | Writable | null | undefined
  >;
  if (!stdout || !audioInput || !probeLines) throw new Error('ffmpeg pipes missing');
  const probe = new ProbeLineParser(options.originSeconds);
  (probeLines as Readable).on('data', (chunk: Buffer) => probe.push(chunk.toString()));
  return {
    process: ffmpeg,
    file: stdout as Readable,
    audioInput: audioInput as Writable,
    onProbe: (listener) => {
      probe.listener = listener;
    },
    exited,
    stop: async () => {
      if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
        // An input named pipe:* turns off `q` on stdin; SIGINT finishes the file as cleanly (exit 255).
        ffmpeg.kill('SIGINT');
        const kill = setTimeout(() => ffmpeg.kill('SIGKILL'), 15_000);
        const exit = await exited;
        clearTimeout(kill);
        return exit;
      }
      return exited;
    },
  };
}

/**
 * Reads the metadata filter's lines (`frame:N pts:P pts_time:T`, then `lavfi.signalstats.YAVG=V`).
 * pts counts frames of the fps filter's 1/FRAME_RATE time base; pts_time has too few digits.
 */
export class ProbeLineParser {
  listener: ((frameAtSeconds: number, luma: number) => void) | undefined;
  private partial = '';
  private frameAt: number | undefined;

  constructor(private readonly originSeconds: number) {}

  push(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const pts = line.match(/ pts:(-?\d+)/)?.[1];
      if (pts !== undefined) this.frameAt = this.originSeconds + Number(pts) / FRAME_RATE;
      const luma = line.match(/YAVG=([\d.]+)/)?.[1];
      if (luma !== undefined && this.frameAt !== undefined) this.listener?.(this.frameAt, Number(luma));
    }
  }
}
