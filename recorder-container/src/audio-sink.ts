import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { scrubbedEnv, sleep, spawnLogged, stopProcess } from './processes.js';

export const SINK_NAME = 'recorder';

export interface AudioSink {
  /** `unix:<socket>`: the PULSE_SERVER of Chromium and ffmpeg. */
  server: string;
  /** What ffmpeg captures. */
  monitor: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A PulseAudio daemon of our own (user mode, also as root) with one 48 kHz null sink. */
export async function startAudioSink(workDir: string): Promise<AudioSink> {
  const home = join(workDir, 'pulse-home');
  const runtime = join(workDir, 'pulse-run');
  await mkdir(join(home, '.config', 'pulse'), { recursive: true });
  await mkdir(runtime, { recursive: true });
  await chmod(runtime, 0o700);
  const socket = join(runtime, 'native');
  await writeFile(
    join(home, '.config', 'pulse', 'daemon.conf'),
    'default-sample-rate = 48000\nalternate-sample-rate = 48000\nexit-idle-time = -1\nflat-volumes = no\nenable-shm = no\nenable-memfd = no\n',
  );
  const script = join(workDir, 'recorder.pa');
  await writeFile(
    script,
    [
      `load-module module-null-sink sink_name=${SINK_NAME} rate=48000 channels=2 sink_properties=device.description=recorder`,
      `set-default-sink ${SINK_NAME}`,
      // Suspended until a low-latency stream is connected: see below.
      `suspend-sink ${SINK_NAME} 1`,
      // Last, so that the socket appearing means the sink exists.
      `load-module module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      '',
    ].join('\n'),
  );
  const pulse = spawnLogged(
    'pulseaudio',
    'pulseaudio',
    [
      '-n',
      '--daemonize=no',
      '--use-pid-file=no',
      '--exit-idle-time=-1',
      '--log-target=stderr',
      '--log-level=error',
      '-F',
      script,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: scrubbedEnv(process.env, { HOME: home, XDG_RUNTIME_DIR: runtime }),
    },
  );
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (pulse.exitCode !== null) throw new Error(`PulseAudio exited with ${pulse.exitCode}`);
    if (Date.now() > deadline) throw new Error('PulseAudio did not open its socket within 10 s');
    await sleep(20);
  }
  // The null sink renders in 2 s blocks while no stream asks for less, and its monitor then delivers
  // audio in bursts that far apart (a frozen lead-in, a late start). A silent low-latency player keeps
  // the blocks short whether or not the page plays sound.
  const pulseEnv = scrubbedEnv(process.env, { PULSE_SERVER: `unix:${socket}` });
  const keepalive = spawnLogged(
    'pacat',
    'pacat',
    [
      '--playback',
      '--raw',
      '--rate=48000',
      '--channels=2',
      '--format=s16le',
      '--latency-msec=20',
      '/dev/zero',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: pulseEnv },
  );
  // A null sink that starts rendering before that player is connected renders its first block at the
  // 2 s default, so the first audio would arrive 2 s late; resumed after it, the sink starts at 20 ms.
  while ((await pactl(pulseEnv, ['list', 'short', 'sink-inputs'])).trim() === '') {
    if (keepalive.exitCode !== null) throw new Error(`pacat exited with ${keepalive.exitCode}`);
    if (Date.now() > deadline) throw new Error('the silent player did not connect within 10 s');
    await sleep(20);
  }
  await pactl(pulseEnv, ['suspend-sink', SINK_NAME, '0']);
  return {
    server: `unix:${socket}`,
    monitor: `${SINK_NAME}.monitor`,
    process: pulse,
    stop: async () => {
      await stopProcess(keepalive);
      await stopProcess(pulse);
    },
  };
}

function pactl(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  return promisify(execFile)('pactl', args, { env, timeout: 5000 }).then(({ stdout }) => stdout);
}
