import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { RecordingFormat } from '../../lambdas/domain/recording.js';
import { AUDIO_RATE } from './audio-capture.js';
import { type Exit, exitOf, scrubbedEnv, spawnLogged } from './processes.js';

export const FRAME_RATE = 30;

export interface EncoderOptions {
  display: string;
  width: number;
  height: number;
  format: RecordingFormat;
  preset: string;
  /** Epoch seconds of the timeline's zero: video is stamped `wall clock − origin`; audio is fed to match. */
  originSeconds: number;
}

/**
 * ffmpeg's AAC encoder starts its output with 1024 samples of priming. Fragmented MP4 and live
 * Matroska have nowhere to say so (no edit list, no codec delay), so every player plays them: the
 * sound comes out this much later than it went in, unless it goes in this much earlier.
 */
export const AAC_PRIMING_SECONDS = 1024 / AUDIO_RATE;

const LIVE_INPUT = ['-thread_queue_size', '1024', '-probesize', '32', '-analyzeduration', '0'];

/**
 * x11grab stamps frames with the wall clock; -copyts keeps those stamps (shifted by the shared origin)
 * instead of moving the input to start at zero. Audio arrives as raw PCM on fd 3, already aligned to
 * the same origin by AudioCapture, so its sample count is its timeline. The encoder has this one
 * output: side outputs (a 2 fps thumbnail stream was one) make ffmpeg's scheduler leave about a
 * second of audio queued, which a stop then loses.
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
    `${options.width}x${options.height}`,
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
    '-map',
    '0:v',
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
  exited: Promise<Exit>;
  /** Ends the capture cleanly, so that the last fragment is written; kills it if it hangs. */
  stop(): Promise<Exit>;
}

export function startEncoder(options: EncoderOptions): Encoder {
  const ffmpeg = spawnLogged('ffmpeg', 'ffmpeg', encoderArgs(options), {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: scrubbedEnv(process.env, { DISPLAY: options.display }),
  });
  const exited = exitOf(ffmpeg);
  const [, stdout, , audioInput] = ffmpeg.stdio as unknown as Array<Readable | Writable | null | undefined>;
  if (!stdout || !audioInput) throw new Error('ffmpeg pipes missing');
  return {
    process: ffmpeg,
    file: stdout as Readable,
    audioInput: audioInput as Writable,
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
