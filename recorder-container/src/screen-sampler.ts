import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { scrubbedEnv, spawnLogged, stopProcess } from './processes.js';

/** Thumbnails of the screen for the idle detector and the black-video check. */
export const THUMBNAIL = { width: 64, height: 36, fps: 2 } as const;

export interface ScreenSampler {
  frames: Readable;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A separate, tiny ffmpeg: 64×36 grey thumbnails twice a second. Kept out of the encoder on purpose
 * (see encoderArgs).
 */
export function startScreenSampler(display: string, width: number, height: number): ScreenSampler {
  const ffmpeg = spawnLogged(
    'sampler',
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'x11grab',
      '-draw_mouse',
      '0',
      '-framerate',
      String(THUMBNAIL.fps),
      '-video_size',
      `${width}x${height}`,
      '-i',
      `${display}.0+0,0`,
      '-vf',
      `scale=${THUMBNAIL.width}:${THUMBNAIL.height},format=gray`,
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: scrubbedEnv(process.env, { DISPLAY: display }) },
  );
  if (!ffmpeg.stdout) throw new Error('sampler has no output');
  return { frames: ffmpeg.stdout, process: ffmpeg, stop: () => stopProcess(ffmpeg).then(() => undefined) };
}
