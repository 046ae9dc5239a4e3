import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FragmentIndex } from '../../lambdas/media/progressive-mp4.js';
import { outputArgs } from '../src/encoder.js';

const run = promisify(execFile);
const BIG = 256 * 1024 * 1024;
const SOURCES = [
  ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30'],
  ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
];
/** The recorder's own codecs and container, optionally with more movflags. */
const recorderOutput = (moreMovflags = '') =>
  outputArgs('mp4', 'ultrafast').map((arg) =>
    arg.startsWith('frag_keyframe') ? `${arg}${moreMovflags}` : arg,
  );

let scratch: string;
let plain: Buffer;
/** The same stream with every video tfdt 1000 ticks (1000/15360 s) later: ffmpeg 5.1 never writes tfdt > 0 here. */
let late: Buffer;
/** Written with delay_moov, the one way to get an edts into ffmpeg's empty moov: the video starts 0.1 s late. */
let edited: Buffer;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'progressive-mp4-test-'));
  [plain, edited] = await Promise.all([
    fragmented(['-t', '6'], recorderOutput()),
    fragmented(['-t', '3', '-vf', 'setpts=PTS+0.1/TB'], recorderOutput('+delay_moov')),
  ]);
  late = withLaterVideo(plain, 1000);
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function fragmented(options: string[], output: string[]): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', ...SOURCES, ...options, ...output, 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: BIG,
  });
  return stdout;
}

interface Box {
  type: string;
  start: number;
  body: number;
  end: number;
}

function boxes(data: Buffer, from = 0, to = data.length): Box[] {
  const found: Box[] = [];
  for (let start = from; start < to; ) {
    const large = data.readUInt32BE(start) === 1;
    const end = start + (large ? Number(data.readBigUInt64BE(start + 8)) : data.readUInt32BE(start));
    found.push({
      type: data.toString('latin1', start + 4, start + 8),
      start,
      body: start + (large ? 16 : 8),
      end,
    });
    start = end;
  }
  return found;
}

/** Moves the video track later by `ticks`, dropping the mfra whose times would no longer agree. */
function withLaterVideo(stream: Buffer, ticks: number): Buffer {
  const copy = Buffer.from(stream);
  const top = boxes(copy);
  for (const moof of top.filter((box) => box.type === 'moof')) {
    for (const traf of boxes(copy, moof.body, moof.end).filter((box) => box.type === 'traf')) {
      const [tfhd, tfdt] = boxes(copy, traf.body, traf.end);
      if (tfhd?.type !== 'tfhd' || tfdt?.type !== 'tfdt' || copy[tfdt.body] !== 1)
        throw new Error('unexpected traf');
      if (copy.readUInt32BE(tfhd.body + 4) !== 1) continue;
      copy.writeBigUInt64BE(copy.readBigUInt64BE(tfdt.body + 4) + BigInt(ticks), tfdt.body + 4);
    }
  }
  return copy.subarray(0, top.find((box) => box.type === 'mfra')?.start ?? copy.length);
}

/** Seeded chunk sizes from 1 byte to 256 KiB, with 1-byte chunks over the first and a middle 4 KiB. */
function chunked(data: Buffer, seed: number): Buffer[] {
  let state = seed;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const middle = Math.floor(data.length / 2);
  const chunks: Buffer[] = [];
  for (let position = 0; position < data.length; ) {
    const byByte = position < 4096 || (position >= middle && position < middle + 4096);
    const size = byByte ? 1 : 1 + Math.floor(random() ** 3 * 256 * 1024);
    chunks.push(data.subarray(position, position + size));
    position += size;
  }
  return chunks;
}

interface Indexed {
  index: FragmentIndex;
  /** fragmentsEnd after each chunk, without repeats. */
  fragmentEnds: number[];
}

function indexed(data: Buffer, seed: number): Indexed {
  const index = new FragmentIndex();
  const fragmentEnds: number[] = [];
  for (const chunk of chunked(data, seed)) {
    index.push(chunk);
    if (index.fragmentsEnd !== (fragmentEnds.at(-1) ?? 0)) fragmentEnds.push(index.fragmentsEnd);
  }
  return { index, fragmentEnds };
}

/** head + original[headLength, end), written to a file. */
async function standardFile(
  index: FragmentIndex,
  stream: Buffer,
  end: number,
  name: string,
): Promise<string> {
  const file = join(scratch, name);
  await writeFile(file, Buffer.concat([index.progressiveHead(end), stream.subarray(index.headLength, end)]));
  return file;
}

/** The whole fragmented stream and its standard form, each written to a file. */
async function originalAndStandard(
  index: FragmentIndex,
  stream: Buffer,
  name: string,
): Promise<[string, string]> {
  return [
    await saved(stream, `${name}.mp4`),
    await standardFile(index, stream, stream.length, `${name}-standard.mp4`),
  ];
}

async function saved(data: Buffer, name: string): Promise<string> {
  const file = join(scratch, name);
  await writeFile(file, data);
  return file;
}

interface Packet {
  stream: number;
  dts: number;
  pts: number;
  duration: number;
  size: number;
  hash: string;
}

/** Every packet as ffmpeg demuxes it, on the file's own timeline (-copyts). */
async function packets(file: string): Promise<Packet[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-copyts', '-i', file, '-map', '0', '-c', 'copy', '-f', 'framemd5', '-'],
    { maxBuffer: BIG },
  );
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [stream, dts, pts, duration, size, hash] = line.split(',').map((field) => field.trim());
      return {
        stream: Number(stream),
        dts: Number(dts),
        pts: Number(pts),
        duration: Number(duration),
        size: Number(size),
        hash: hash ?? '',
      };
    });
}

interface Probe {
  streams: Array<{ start_time: string; duration_ts: number }>;
  format: { start_time: string; duration: string };
}

async function probe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'stream=start_time,duration_ts:format=start_time,duration'],
    ...['-of', 'json', file],
  ]);
  return JSON.parse(stdout) as Probe;
}

/**
 * ffmpeg reads a fragmented stream's packets with guessed durations (1/fps, the AAC frame size), so the
 * durations are compared with the timeline instead: each packet lasts until the next one of its stream,
 * and each stream ends where ffprobe puts the end of the fragmented stream (its duration_ts, which for
 * fragments is the last tfdt plus the durations after it, so `firstTfdt` later than the media's start).
 */
function expectSamePackets(
  result: Packet[],
  original: Packet[],
  originalProbe: Probe,
  firstTfdt: number[],
): void {
  const withoutDuration = ({ duration: _, ...rest }: Packet) => rest;
  expect(result.map(withoutDuration)).toEqual(original.map(withoutDuration));
  originalProbe.streams.forEach(({ duration_ts }, stream) => {
    const own = result.filter((packet) => packet.stream === stream);
    expect(own.length).toBeGreaterThan(0);
    own.forEach((packet, i) => {
      const end = own[i + 1]?.dts ?? own[0]!.dts + duration_ts - firstTfdt[stream]!;
      expect(packet.dts + packet.duration).toBe(end);
    });
  });
}

async function expectDecodesAndSeeks(file: string, original: string): Promise<void> {
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
  expect(stderr).toBe('');
  const seek = (input: string) =>
    run('ffmpeg', [
      '-v',
      'error',
      '-xerror',
      '-ss',
      '2.5',
      '-i',
      input,
      '-an',
      '-frames:v',
      '5',
      '-f',
      'framemd5',
      '-',
    ]);
  const [ours, theirs] = await Promise.all([seek(file), seek(original)]);
  // The pictures, not their numbering, which counts from the file's start time.
  const frames = (output: string) =>
    output
      .split('\n')
      .filter((line) => line.startsWith('0,'))
      .map((line) => line.split(',').at(-1));
  expect(frames(ours.stdout)).toHaveLength(5);
  expect(frames(ours.stdout)).toEqual(frames(theirs.stdout));
}

function boxHeader(size: number, type: string): Buffer {
  const header = Buffer.from(`    ${type}`, 'latin1');
  header.writeUInt32BE(size, 0);
  return header;
}

function topLevel(data: Buffer): string[] {
  return boxes(data).map((box) => box.type);
}

function moovChildren(data: Buffer): string[] {
  const moov = boxes(data).find((box) => box.type === 'moov')!;
  return boxes(data, moov.body, moov.end).map((box) => box.type);
}

describe('FragmentIndex', () => {
  it('turns the recorder’s fragmented stream into ftyp + moov + mdat holding the same packets at the same times', async () => {
    const { index, fragmentEnds } = indexed(plain, 1);
    const layout = boxes(plain);
    expect(index.headLength).toBe(layout.find((box) => box.type === 'moof')!.start);
    expect(fragmentEnds).toEqual(layout.filter((box) => box.type === 'mdat').map((box) => box.end));
    expect(layout.at(-1)?.type).toBe('mfra');
    const [original, result] = await originalAndStandard(index, plain, 'plain');

    const standard = await readFile(result);
    expect(topLevel(standard)).toEqual(['ftyp', 'moov', 'mdat']);
    expect(moovChildren(standard)).not.toContain('mvex');
    // The brands of a standard MP4, as ffmpeg writes them, not the fragmented stream's iso5/iso6.
    expect(standard.subarray(8, 32).toString('latin1')).toBe('isom\u0000\u0000\u0002\u0000isomiso2avc1mp41');
    expect(standard.subarray(index.progressiveHead(plain.length).length)).toEqual(
      plain.subarray(index.headLength),
    );

    const [theirs, ours] = await Promise.all([probe(original), probe(result)]);
    expect(ours).toEqual(theirs);
    expectSamePackets(await packets(result), await packets(original), theirs, [0, 0]);
    await expectDecodesAndSeeks(result, original);
  });

  it('keeps a video track that starts after the audio (tfdt > 0) where it starts, with an empty edit', async () => {
    const { index } = indexed(late, 2);
    const [original, result] = await originalAndStandard(index, late, 'late');
    const [theirs, ours] = await Promise.all([probe(original), probe(result)]);
    expect(ours.streams.map((stream) => stream.start_time)).toEqual(['0.065104', '0.000000']);
    expect(ours.streams.map((stream) => stream.start_time)).toEqual(
      theirs.streams.map((stream) => stream.start_time),
    );
    // ffprobe gives a fragmented track's end decode time as its duration; the standard file, its length.
    expect(ours.streams.map((stream) => stream.duration_ts)).toEqual([
      theirs.streams[0]!.duration_ts - 1000,
      theirs.streams[1]!.duration_ts,
    ]);
    expectSamePackets(await packets(result), await packets(original), theirs, [1000, 0]);
    await expectDecodesAndSeeks(result, original);
  });

  it('makes a stream cut after the k-th whole fragment (no mfra: ffmpeg died) into a file of exactly those fragments', async () => {
    const whole = indexed(plain, 3);
    const all = await packets(await saved(plain, 'whole.mp4'));
    for (const [k, end] of whole.fragmentEnds.slice(0, 2).entries()) {
      // Fed up to a few KiB into the next fragment, as an upload cut mid-mdat would be.
      const { index } = indexed(plain.subarray(0, end + 5000), 4 + k);
      expect(index.fragmentsEnd).toBe(end);
      expect(index.progressiveHead(end)).toEqual(whole.index.progressiveHead(end));
      const cut = await saved(plain.subarray(0, end), `cut-${k}.mp4`);
      const result = await standardFile(index, plain, end, `cut-${k}-standard.mp4`);
      const [theirs, ours, expected] = [await probe(cut), await probe(result), await packets(cut)];
      expect(ours).toEqual(theirs);
      expectSamePackets(await packets(result), expected, theirs, [0, 0]);
      expect(expected.length).toBeLessThan(all.length);
      // Every packet lasts until its successor in the whole stream: the cut loses no timing.
      const own = await packets(result);
      for (const packet of own) {
        const next = all.find((other) => other.stream === packet.stream && other.dts > packet.dts);
        expect(packet.dts + packet.duration).toBe(next!.dts);
      }
    }
  });

  it('carries an edit list of the original moov over as ffmpeg reads it (delay_moov)', async () => {
    const { index } = indexed(edited, 5);
    const [original, result] = await originalAndStandard(index, edited, 'edited');
    const [theirs, ours] = await Promise.all([probe(original), probe(result)]);
    expect(ours.streams[0]!.start_time).toBe('0.100000');
    expect(ours.streams[0]!.start_time).toBe(theirs.streams[0]!.start_time);
    // The audio edit starts the media 1024 samples in: on fragments ffmpeg only shifts (-1024/48000 s), in a
    // standard file it also trims those samples of AAC priming, so the same packets start at 0.
    expect([theirs.streams[1]!.start_time, ours.streams[1]!.start_time]).toEqual(['-0.021333', '0.000000']);
    const [ourPackets, theirPackets] = [await packets(result), await packets(original)];
    expect(ourPackets.find((packet) => packet.stream === 1)?.pts).toBe(-1024);
    expectSamePackets(ourPackets, theirPackets, theirs, [0, 0]);
    await expectDecodesAndSeeks(result, original);
  });

  it('refuses, with a clear error, what it cannot make a file of', () => {
    const fresh = new FragmentIndex();
    expect(() => fresh.progressiveHead(0)).toThrow(/no complete moov/);
    const headLength = boxes(plain).find((box) => box.type === 'moof')!.start;
    fresh.push(plain.subarray(0, headLength + 100));
    expect(fresh.headLength).toBe(headLength);
    expect(fresh.fragmentsEnd).toBe(0);
    expect(() => fresh.progressiveHead(headLength)).toThrow(/no whole fragment/);
    expect(() => fresh.progressiveHead(headLength + 200)).toThrow(/must lie between/);

    const corrupt = Buffer.concat([plain.subarray(0, 28), boxHeader(4, 'moov')]);
    const byByte = new FragmentIndex();
    expect(() => {
      for (const byte of corrupt) byByte.push(Buffer.from([byte]));
    }).toThrow(/invalid box size 4 at offset 28/);
    expect(() => byByte.push(Buffer.alloc(1))).toThrow(/invalid box size 4 at offset 28/);

    const overflowing = Buffer.from(plain);
    const moof = boxes(overflowing).find((box) => box.type === 'moof')!;
    const traf = boxes(overflowing, moof.body, moof.end).find((box) => box.type === 'traf')!;
    overflowing.writeUInt32BE(moof.end - traf.start + 8, traf.start);
    expect(() => new FragmentIndex().push(overflowing)).toThrow(
      /invalid size \d+ of box 'traf' at offset \d+/,
    );

    const secondDescription = Buffer.from(plain);
    const trex = secondDescription.indexOf('trex', 0, 'latin1');
    secondDescription.writeUInt32BE(2, trex + 12);
    expect(() => new FragmentIndex().push(secondDescription)).toThrow(/sample description 2; only 1/);

    const mdatFirst = Buffer.concat([plain.subarray(0, 28), boxHeader(8, 'mdat')]);
    expect(() => new FragmentIndex().push(mdatFirst)).toThrow(/mdat at offset 28 comes before any moof/);
  });
});
