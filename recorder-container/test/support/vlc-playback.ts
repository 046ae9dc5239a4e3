import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { serveWithRanges } from './range-server.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * VLC's `get_length` answers in whole seconds, cut down: a real length within `tolerance` s of
 * `expectedSeconds` shows as a whole number L with expectedSeconds − tolerance − 1 < L ≤ expectedSeconds + tolerance.
 */
export function reportsLength(vlc: VlcPlayback, expectedSeconds: number, tolerance = 1): boolean {
  return (
    vlc.lengthSeconds > expectedSeconds - tolerance - 1 && vlc.lengthSeconds <= expectedSeconds + tolerance
  );
}

/**
 * VLC's audio output drops a buffer (21 ms) that reaches it late: one did, once in CI, on the busy 2-core
 * machine. A broken or misaligned audio stream loses them by the dozen.
 */
export const TOLERATED_AUDIO_BUFFERS_LOST = 1;

export interface VlcPlayback {
  /** What VLC reports as the file's length, once it has opened it (whole seconds). */
  /** Whole seconds, cut down (see reportsLength). */
  lengthSeconds: number;
  /** Where playback stood a second after seeking to the middle (whole seconds). */
  timeAfterSeekSeconds: number;
  videoFramesDisplayed: number;
  videoFramesLost: number;
  audioBuffersPlayed: number;
  audioBuffersLost: number;
}

/**
 * Plays a recorded file in VLC (no window, no sound card) through its remote-control interface: reads
 * the length, seeks to the middle, plays on for a second and reads VLC's decoding statistics. With a
 * content type, VLC reads the file over HTTP with range requests, as from a download link; without,
 * as a downloaded file. VLC refuses to run as root, so as root it runs as nobody, on a copy it can read.
 */
export async function playInVlc(file: string, contentType?: string): Promise<VlcPlayback> {
  const asRoot = process.getuid?.() === 0;
  const readable = await mkdtemp(join(tmpdir(), 'vlc-'));
  await chmod(readable, 0o755);
  const served = contentType ? await serveWithRanges(file, contentType) : undefined;
  const source = served?.url ?? join(readable, basename(file));
  if (!served) await copyFile(file, source);
  try {
    return await driveVlc(source, asRoot);
  } finally {
    served?.close();
    await rm(readable, { recursive: true, force: true });
  }
}

async function driveVlc(source: string, asRoot: boolean): Promise<VlcPlayback> {
  const vlcArgs = [
    '-I',
    'oldrc',
    '--rc-fake-tty',
    '--vout',
    'dummy',
    '--aout',
    'dummy',
    '--no-video-title-show',
    source,
  ];
  const vlc = spawn(
    asRoot ? 'setpriv' : 'cvlc',
    asRoot ? ['--reuid=65534', '--regid=65534', '--clear-groups', 'cvlc', ...vlcArgs] : vlcArgs,
    { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH, HOME: '/tmp' } },
  );
  const lines: string[] = [];
  let waiting: (() => void) | undefined;
  createInterface({ input: vlc.stdout }).on('line', (line) => {
    lines.push(line.trim());
    waiting?.();
  });
  const exited = new Promise<void>((resolve) => vlc.once('exit', () => resolve()));
  /** Sends a command and returns VLC's output lines up to and including the first that matches `until`. */
  const ask = async (command: string, until: RegExp, timeoutMs = 5000): Promise<string[]> => {
    lines.length = 0;
    vlc.stdin.write(`${command}\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = lines.findIndex((line) => until.test(line));
      if (index >= 0) return lines.splice(0, index + 1);
      if (Date.now() > deadline || vlc.exitCode !== null)
        throw new Error(`VLC did not answer '${command}': ${lines.join(' | ')}`);
      await new Promise<void>((resolve) => {
        waiting = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  const number = async (command: string) => Number((await ask(command, /^\d+$/)).at(-1));
  try {
    let lengthSeconds = 0;
    for (let attempt = 0; attempt < 50 && lengthSeconds === 0; attempt += 1) {
      lengthSeconds = await number('get_length');
      if (lengthSeconds === 0) await sleep(200);
    }
    await ask(`seek ${Math.floor(lengthSeconds / 2)}`, /^seek: returned/);
    await sleep(1000);
    const timeAfterSeekSeconds = await number('get_time');
    const statistics = (await ask('stats', /end of statistical info/)).join('\n');
    const stat = (name: string) =>
      Number(new RegExp(`${name}\\s*:\\s*(\\d+)`).exec(statistics)?.[1] ?? Number.NaN);
    return {
      lengthSeconds,
      timeAfterSeekSeconds,
      videoFramesDisplayed: stat('frames displayed'),
      videoFramesLost: stat('frames lost'),
      audioBuffersPlayed: stat('buffers played'),
      audioBuffersLost: stat('buffers lost'),
    };
  } finally {
    vlc.stdin.end('quit\n');
    const kill = setTimeout(() => vlc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(kill);
  }
}
