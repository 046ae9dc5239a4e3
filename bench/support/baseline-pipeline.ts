/**
 * The baseline of bench/recorder-efficiency.ts, run as its own process so that its tree can be measured:
 * Xvfb + PulseAudio + Chromium showing the page + `ffmpeg -f x11grab` with the settings of AWS's Chime
 * recording sample (libx264 veryfast, main profile, GOP 60, AAC 160 kb/s).
 *
 * Usage: baseline-pipeline.ts <width> <height> <seconds> <url> <output.mp4>
 * Prints `RECORDING_STARTED <iso>` when ffmpeg reports its first frame and `STOPPED <iso>` when stopped.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAudioSink } from '../../recorder-container/src/audio-sink.js';
import { startVirtualDisplay } from '../../recorder-container/src/display.js';
import { exitOf, sleep, stopProcess } from '../../recorder-container/src/processes.js';

const [width = '1280', height = '720', seconds = '60', url = '', output = 'baseline.mp4'] =
  process.argv.slice(2);

const workDir = await mkdtemp(join(tmpdir(), 'bench-baseline-'));
const display = await startVirtualDisplay(Number(width), Number(height));
const audio = await startAudioSink(workDir);
const env = { ...process.env, DISPLAY: display.name, PULSE_SERVER: audio.server };
const browser = spawn(
  '/usr/bin/chromium',
  [
    '--no-sandbox',
    '--kiosk',
    '--window-position=0,0',
    `--window-size=${width},${height}`,
    '--autoplay-policy=no-user-gesture-required',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-infobars',
    '--test-type',
    `--user-data-dir=${join(workDir, 'profile')}`,
    url,
  ],
  { env, stdio: 'ignore' },
);
await sleep(3000);
const ffmpeg = spawn(
  'ffmpeg',
  [
    '-hide_banner',
    '-y',
    '-f',
    'x11grab',
    '-framerate',
    '30',
    '-video_size',
    `${width}x${height}`,
    '-draw_mouse',
    '0',
    '-i',
    `${display.name}+0,0`,
    '-f',
    'pulse',
    '-i',
    audio.monitor,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '60',
    '-c:a',
    'aac',
    '-b:a',
    '160k',
    '-ar',
    '48000',
    output,
  ],
  { env, stdio: ['pipe', 'ignore', 'pipe'] },
);
let log = '';
let started = false;
ffmpeg.stderr.setEncoding('utf8');
ffmpeg.stderr.on('data', (chunk: string) => {
  log = (log + chunk).slice(-4000);
  if (!started && /frame=\s*\d+/.test(chunk)) {
    started = true;
    console.log(`RECORDING_STARTED ${new Date().toISOString()}`);
  }
});
const deadline = Date.now() + 30_000;
while (!started && Date.now() < deadline && ffmpeg.exitCode === null) await sleep(50);
if (!started) throw new Error(`ffmpeg did not start: ${log}`);
await sleep(Number(seconds) * 1000);
console.log(`STOPPED ${new Date().toISOString()}`);
ffmpeg.stdin.end('q');
const exit = await Promise.race([exitOf(ffmpeg), sleep(30_000).then(() => undefined)]);
if (!exit) await stopProcess(ffmpeg);
const stats = [...log.matchAll(/dup=(\d+)\s+drop=(\d+)/g)].at(-1);
console.log(`FFMPEG dup=${stats?.[1] ?? 0} drop=${stats?.[2] ?? 0}`);
await stopProcess(browser);
await audio.stop();
await display.stop();
await rm(workDir, { recursive: true, force: true });
