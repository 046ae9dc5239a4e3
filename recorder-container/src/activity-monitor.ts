import type { Readable } from 'node:stream';
import { AUDIO_RATE } from './audio-capture.js';
import { THUMBNAIL } from './screen-sampler.js';

/** Mean absolute luma difference (0–255) above which two probe frames count as "the screen changed". */
const FRAME_CHANGE_THRESHOLD = 0.5;
/** Luma below which a frame is black. */
const BLACK_LUMA = 20;
/** RMS (of full scale) above which a 100 ms window counts as sound: about −60 dBFS. */
const SOUND_RMS = 0.001;

/**
 * Watches the encoder's low-rate side outputs: when the screen last changed, when sound was last
 * heard, and whether anything but black and silence was ever recorded.
 */
export class ActivityMonitor {
  private previousFrame: Buffer | undefined;
  private pendingVideo = Buffer.alloc(0);
  private pendingAudio = Buffer.alloc(0);
  lastMotionAt = Date.now();
  lastSoundAt = Date.now();
  sawPicture = false;
  sawSound = false;
  videoFrames = 0;
  audioSeconds = 0;

  watchScreen(thumbnails: Readable): void {
    thumbnails.on('data', (chunk: Buffer) => this.onVideo(chunk));
  }

  /** Restarts the idle clock (a new encoder, a recovered browser). */
  reset(now = Date.now()): void {
    this.lastMotionAt = now;
    this.lastSoundAt = now;
  }

  idleMs(now = Date.now()): number {
    return now - Math.max(this.lastMotionAt, this.lastSoundAt);
  }

  private onVideo(chunk: Buffer): void {
    const frameBytes = THUMBNAIL.width * THUMBNAIL.height;
    this.pendingVideo = Buffer.concat([this.pendingVideo, chunk]);
    while (this.pendingVideo.length >= frameBytes) {
      const frame = this.pendingVideo.subarray(0, frameBytes);
      this.pendingVideo = this.pendingVideo.subarray(frameBytes);
      this.videoFrames += 1;
      let sum = 0;
      let difference = 0;
      for (let index = 0; index < frame.length; index += 1) {
        const value = frame[index] ?? 0;
        sum += value;
        difference += Math.abs(value - (this.previousFrame?.[index] ?? value));
      }
      if (sum / frame.length > BLACK_LUMA) this.sawPicture = true;
      if (this.previousFrame && difference / frame.length > FRAME_CHANGE_THRESHOLD)
        this.lastMotionAt = Date.now();
      this.previousFrame = Buffer.from(frame);
    }
  }

  /** Raw PCM as captured: s16le, 48 kHz, stereo. */
  onAudio(chunk: Buffer): void {
    const windowBytes = (AUDIO_RATE / 10) * 4;
    this.pendingAudio = Buffer.concat([this.pendingAudio, chunk]);
    while (this.pendingAudio.length >= windowBytes) {
      const window = this.pendingAudio.subarray(0, windowBytes);
      this.pendingAudio = this.pendingAudio.subarray(windowBytes);
      this.audioSeconds += 0.1;
      let squares = 0;
      for (let offset = 0; offset + 4 <= window.length; offset += 4) {
        const sample = (window.readInt16LE(offset) + window.readInt16LE(offset + 2)) / 65536;
        squares += sample * sample;
      }
      if (Math.sqrt(squares / (window.length / 4)) > SOUND_RMS) {
        this.lastSoundAt = Date.now();
        this.sawSound = true;
      }
    }
  }
}
