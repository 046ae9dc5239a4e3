import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { log } from './log.js';
import { type Exit, exitOf, scrubbedEnv, sleep, spawnLogged, stopProcess } from './processes.js';

export const AUDIO_RATE = 48_000;
const BYTES_PER_FRAME = 4;

/** Wall-clock seconds with sub-millisecond resolution, on the clock ffmpeg stamps video with. */
export function wallSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/**
 * Captures the sink monitor with parec and dates its samples: sample k was rendered at
 * `firstSampleAt + k / 48000`. Packets can arrive late but never before their samples exist, so the
 * smallest `arrival − k / rate` over many packets is a tight estimate of `firstSampleAt`. This is the
 * measurement that replaces ffmpeg's pulse timestamps, whose start-up smoothing put audio 75–450 ms
 * off depending on when ffmpeg started.
 */
export class AudioCapture {
  private framesReceived = 0;
  private pending: Buffer[] = [];
  private pendingFrom = 0;
  private placement: PcmPlacement | undefined;
  private carry = Buffer.alloc(0);
  /** Estimated wall-clock time (s) of sample 0; refined with every packet. */
  firstSampleAt = Number.POSITIVE_INFINITY;
  /** The estimate in force when the output was attached. */
  committedFirstSampleAt: number | undefined;
  readonly exited: Promise<Exit>;
  /** Sees every captured block (the activity monitor). */
  listener: ((block: Buffer) => void) | undefined;

  private constructor(private readonly parec: ChildProcess) {
    this.exited = exitOf(parec);
    parec.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** Starts capturing; the longer it runs before `attach`, the better the estimate. */
  static start(server: string, monitor: string): AudioCapture {
    const parec = spawnLogged(
      'parec',
      'parec',
      [
        `--device=${monitor}`,
        '--raw',
        '--format=s16le',
        `--rate=${AUDIO_RATE}`,
        '--channels=2',
        '--latency-msec=20',
        '--process-time-msec=10',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: scrubbedEnv(process.env, { PULSE_SERVER: server }) },
    );
    return new AudioCapture(parec);
  }

  /**
   * Waits until a second of audio has come through (the estimate has then seen about 50 packets).
   * Audio flows from about 0.2 s after the sink resumes (audio-sink.ts), so this takes about a second.
   */
  async calibrated(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.framesReceived < AUDIO_RATE) {
      if (this.parec.exitCode !== null) throw new Error(`parec exited with ${this.parec.exitCode}`);
      if (Date.now() > deadline) throw new Error('no steady audio from the sink monitor');
      await sleep(50);
    }
  }

  private onData(chunk: Buffer): void {
    const arrival = wallSeconds();
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const usable = data.length - (data.length % BYTES_PER_FRAME);
    this.carry = Buffer.from(data.subarray(usable));
    const frames = usable / BYTES_PER_FRAME;
    this.framesReceived += frames;
    this.firstSampleAt = Math.min(this.firstSampleAt, arrival - this.framesReceived / AUDIO_RATE);
    const block = data.subarray(0, usable);
    this.listener?.(block);
    if (this.placement) this.placement.forward(block, this.framesReceived - frames);
    else this.pending.push(block);
  }

  /**
   * Wall-clock times (s) at which a loud sound begins after at least 200 ms of quiet, among the
   * samples captured since `fromSeconds` and not yet handed to the encoder.
   */
  onsetsSince(fromSeconds: number): number[] {
    const onsets: number[] = [];
    const window = AUDIO_RATE / 1000;
    let frame = this.pendingFrom;
    let windowSquares = 0;
    let windowFrames = 0;
    let lastLoud = Number.NEGATIVE_INFINITY;
    for (const block of this.pending) {
      for (let offset = 0; offset < block.length; offset += BYTES_PER_FRAME) {
        const left = block.readInt16LE(offset) / 32768;
        windowSquares += left * left;
        windowFrames += 1;
        frame += 1;
        if (windowFrames < window) continue;
        const time = this.firstSampleAt + (frame - window) / AUDIO_RATE;
        const loud = Math.sqrt(windowSquares / windowFrames) > 0.05;
        if (loud && time >= fromSeconds && time - lastLoud > 0.2) onsets.push(time);
        if (loud) lastLoud = time;
        windowSquares = 0;
        windowFrames = 0;
      }
    }
    return onsets;
  }

  /**
   * Starts feeding raw PCM to `output` such that its first sample belongs to wall-clock time
   * `originSeconds` (the origin of the video timeline), every sample placed `audioDelaySeconds`
   * later than it was captured: earlier samples are dropped, or silence is prepended.
   */
  attach(output: Writable, originSeconds: number, audioDelaySeconds = 0): void {
    this.committedFirstSampleAt = this.firstSampleAt;
    const originFrame = Math.round((originSeconds - audioDelaySeconds - this.firstSampleAt) * AUDIO_RATE);
    output.on('error', () => undefined);
    const placement = new PcmPlacement(output, originFrame, audioDelaySeconds);
    this.placement = placement;
    log('audio_aligned', {
      firstSampleAt: this.firstSampleAt,
      originSeconds,
      audioDelaySeconds,
      droppedFrames: Math.max(originFrame, 0),
    });
    const pending = this.pending;
    this.pending = [];
    let frame = this.pendingFrom;
    for (const block of pending) {
      placement.forward(block, frame);
      frame += block.length / BYTES_PER_FRAME;
    }
  }

  /** How much later than captured the sound goes to the encoder (s); undefined before `attach`. */
  get delaySeconds(): number | undefined {
    return this.placement?.delaySeconds;
  }

  /** From here on, places the sound `audioDelaySeconds` later than it was captured (see PcmPlacement). */
  delay(audioDelaySeconds: number): void {
    if (!this.placement) throw new Error('delay before attach');
    this.placement.delay(audioDelaySeconds);
  }

  /** How far the estimate moved after it was committed (ms): the residual error of the alignment. */
  get refinementMs(): number | undefined {
    return this.committedFirstSampleAt === undefined
      ? undefined
      : Math.round((this.committedFirstSampleAt - this.firstSampleAt) * 1000 * 10) / 10;
  }

  async stop(): Promise<void> {
    this.placement?.end();
    await stopProcess(this.parec);
  }
}

/**
 * Hands captured PCM to the encoder in place: captured frame `firstFrame + k` of a block goes out as
 * the output's frame `k + firstFrame − startFrame`, plus whatever `delay` has added or taken since.
 */
export class PcmPlacement {
  /** The next captured frame to hand on. */
  private nextFrame: number;

  constructor(
    private readonly output: Writable,
    /** The captured frame that becomes the output's first; before capture began: silence first. */
    startFrame: number,
    /** How much later than captured the sound goes out (s). */
    public delaySeconds: number,
  ) {
    if (startFrame < 0) output.write(Buffer.alloc(-startFrame * BYTES_PER_FRAME));
    this.nextFrame = Math.max(startFrame, 0);
  }

  forward(block: Buffer, firstFrame: number): void {
    const frames = block.length / BYTES_PER_FRAME;
    const skip = Math.min(Math.max(this.nextFrame - firstFrame, 0), frames);
    if (skip < frames) this.output.write(block.subarray(skip * BYTES_PER_FRAME));
    this.nextFrame = Math.max(this.nextFrame, firstFrame + frames);
  }

  /**
   * From here on, places the sound `delaySeconds` later than it was captured: the difference to the
   * delay in force goes in as silence (later) or is skipped (earlier), once.
   */
  delay(delaySeconds: number): void {
    const frames = Math.round((delaySeconds - this.delaySeconds) * AUDIO_RATE);
    this.delaySeconds += frames / AUDIO_RATE;
    if (frames > 0) this.output.write(Buffer.alloc(frames * BYTES_PER_FRAME));
    else this.nextFrame -= frames;
  }

  end(): void {
    this.output.end();
  }
}
