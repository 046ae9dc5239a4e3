import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PcmPlacement } from '../src/audio-capture.js';
import { ProbeLineParser } from '../src/encoder.js';
import { PictureLatency } from '../src/paint-probe.js';
import { latestPath } from '../src/sync-calibration.js';

/** Frames of stereo s16le whose left sample is its captured index, so placement can be read back. */
function numberedBlock(firstFrame: number, frames: number): Buffer {
  const block = Buffer.alloc(frames * 4);
  for (let frame = 0; frame < frames; frame += 1) block.writeInt16LE((firstFrame + frame) % 32768, frame * 4);
  return block;
}

function leftSamples(output: PassThrough): number[] {
  const data: Buffer = output.read() ?? Buffer.alloc(0);
  const samples: number[] = [];
  for (let offset = 0; offset + 4 <= data.length; offset += 4) samples.push(data.readInt16LE(offset));
  return samples;
}

describe('PcmPlacement', () => {
  it('starts at the given captured frame, and with silence when that lies before the capture', () => {
    const late = new PassThrough();
    new PcmPlacement(late, 3, 0).forward(numberedBlock(0, 6), 0);
    expect(leftSamples(late)).toEqual([3, 4, 5]);
    const early = new PassThrough();
    new PcmPlacement(early, -2, 0).forward(numberedBlock(0, 2), 0);
    expect(leftSamples(early)).toEqual([0, 0, 0, 1]);
  });

  it('moves the sound later by inserting silence, and earlier by skipping samples, once', () => {
    const output = new PassThrough();
    const placement = new PcmPlacement(output, 0, 0.05);
    placement.forward(numberedBlock(0, 4), 0);
    placement.delay(0.05 + 2 / 48_000);
    expect(placement.delaySeconds).toBeCloseTo(0.05 + 2 / 48_000, 9);
    placement.forward(numberedBlock(4, 4), 4);
    placement.delay(0.05 - 1 / 48_000);
    placement.forward(numberedBlock(8, 4), 8);
    expect(leftSamples(output)).toEqual([0, 1, 2, 3, 0, 0, 4, 5, 6, 7, 11]);
  });
});

describe('ProbeLineParser', () => {
  it("dates each frame by its integer pts on the 30 fps grid, from the metadata filter's lines", () => {
    const parser = new ProbeLineParser(1000);
    const seen: Array<[number, number]> = [];
    parser.listener = (at, luma) => seen.push([at, luma]);
    parser.push('frame:0    pts:5       pts_time:0.166667\nlavfi.signalstats.YAVG=16\nframe:1    pts:6  ');
    parser.push('     pts_time:0.2\nlavfi.signalstats.YAVG=235.5\n');
    expect(seen).toEqual([
      [1000 + 5 / 30, 16],
      [1000 + 6 / 30, 235.5],
    ]);
  });
});

describe('PictureLatency', () => {
  /** Feeds flips every 0.25 s and encoded frames on a 30 fps grid that show each flip `latency` later. */
  function run(latency: (flip: number) => number, flips: number, reportsLate = false) {
    const measured: number[] = [];
    const tracker = new PictureLatency((value) => measured.push(Math.round(value * 1000)));
    const flipTimes = Array.from({ length: flips }, (_, index) => 10 + index * 0.25);
    const shownAt = flipTimes.map((at, index) => Math.ceil((at + latency(index)) * 30 - 1e-6) / 30);
    let next = 0;
    for (let frame = 10 * 30; frame < (10 + flips * 0.25 + 1) * 30; frame += 1) {
      const at = frame / 30;
      while (!reportsLate && next < flips && (flipTimes[next] ?? 0) <= at) {
        tracker.flipped(flipTimes[next] ?? 0, next % 2 === 0);
        next += 1;
      }
      const shown = shownAt.filter((time) => time <= at + 1e-9).length;
      tracker.encoded(at, shown % 2 === 1 ? 235 : 16);
      while (reportsLate && next < flips && (flipTimes[next] ?? 0) + 0.1 <= at) {
        tracker.flipped(flipTimes[next] ?? 0, next % 2 === 0);
        next += 1;
      }
    }
    return { tracker, measured };
  }

  it('measures from each flip to the first encoded frame that shows it, whichever is reported first', () => {
    for (const reportsLate of [false, true]) {
      const { tracker, measured } = run(() => 0.05, 12, reportsLate);
      expect(measured).toHaveLength(12);
      expect(measured.every((ms) => ms >= 50 && ms < 50 + 34)).toBe(true);
      expect(tracker.latencySeconds).toBeGreaterThanOrEqual(0.05);
      expect(tracker.latencySeconds).toBeLessThan(0.05 + 1 / 30);
    }
  });

  it('follows a latency that changes, one trimmed-mean window later', () => {
    const { tracker } = run((flip) => (flip < 20 ? 0.03 : 0.1), 40);
    expect(tracker.latencySeconds).toBeGreaterThan(0.1);
    expect(tracker.latencySeconds).toBeLessThan(0.1 + 1 / 30);
  });

  it('ignores a change of the square that no flip explains, and flips that never show', () => {
    const measured: number[] = [];
    const tracker = new PictureLatency((value) => measured.push(value));
    tracker.encoded(1, 16);
    tracker.encoded(1.1, 235); // the page's own content, before the square was in place
    tracker.flipped(1.5, false);
    tracker.flipped(2, true);
    tracker.encoded(2.2, 16);
    for (let index = 0; index < 30; index += 1) tracker.flipped(3 + index, index % 2 === 0);
    expect(measured).toEqual([]);
    expect(tracker.latencySeconds).toBeUndefined();
  });
});

describe('latestPath (the calibration)', () => {
  it('pairs each planned beep with its captured onset and agrees on the latest four', () => {
    const planned = [1, 1.4, 1.8, 2.2, 2.6, 3];
    const onsets = [1.02, 1.395, 1.794, 2.195, 2.596, 2.993];
    const path = latestPath(planned, onsets);
    expect(path?.pairs).toBe(4);
    expect(path?.spreadMs).toBe(3);
    expect((path?.medianSeconds ?? 0) * 1000).toBeCloseTo(-5.5, 6);
    expect(path?.offsetsMs).toEqual([20, -5, -6, -5, -4, -7]);
  });

  it('has nothing to say about a beep not yet heard', () => {
    expect(latestPath([1, 1.4], [])).toBeUndefined();
    expect(latestPath([1, 1.4], [1.005])?.pairs).toBe(1);
  });
});
