/**
 * Turns a fragmented MP4 (ffmpeg's frag_keyframe+empty_moov+default_base_moof) into a standard,
 * progressive one without moving its media: the new file is `progressiveHead(end)` followed by the
 * original bytes from `headLength` to `end`. The head is ftyp, a moov with full sample tables, and
 * the header of one 64-bit mdat whose payload is everything after the original head (moof boxes,
 * mdat headers and a trailing mfra become opaque payload), so chunk offsets only move by a delta.
 */

import { type BoxHeader, TopLevelBoxes } from './mp4-boxes.js';

/** What ffmpeg writes for a standard MP4; the fragmented stream's iso5/iso6 brands promise fragments. */
const STANDARD_FTYP = Buffer.concat([
  Buffer.from([0, 0, 0, 32]),
  Buffer.from('ftypisom', 'latin1'),
  Buffer.from([0, 0, 2, 0]),
  Buffer.from('isomiso2avc1mp41', 'latin1'),
]);

const KEPT_BOX_LIMIT = 64 * 1024 * 1024;
const TRUN_SAMPLE_LIMIT = 1 << 24;
const SAMPLE_IS_NON_SYNC = 0x10000;
const SAMPLE_DEPENDS_ON_MASK = 0x03000000;
const SAMPLE_DEPENDS_ON_OTHERS = 0x01000000;
/** Per-sample boxes of an stbl: replaced by the rebuilt tables, or dropped when they would be stale. */
const SAMPLE_TABLES = new Set([
  'stts',
  'ctts',
  'cslg',
  'stsc',
  'stsz',
  'stz2',
  'stco',
  'co64',
  'stss',
  'stps',
  'sdtp',
  'padb',
  'subs',
  'sbgp',
  'saiz',
  'saio',
]);

interface Box {
  type: string;
  start: number;
  body: number;
  end: number;
}

interface SampleDefaults {
  descriptionIndex: number;
  duration: number;
  size: number;
  flags: number;
}

/** The samples of one trun: contiguous in the file, so one chunk of the new file. */
interface Run {
  offset: number;
  count: number;
  /** The traf's tfdt, on the first run of a traf that has one. */
  decodeTime: number | undefined;
  /** End of the moof+mdat pair holding the run. */
  fragmentEnd: number;
}

interface ParsedRun {
  track: Track;
  offset: number;
  bytes: number;
  decodeTime: number | undefined;
  sizes: number[];
  durations: number[];
  compositionOffsets: number[];
  nonSync: boolean[];
}

type TypedColumn = Uint32Array | Int32Array | Uint8Array;

class Column<T extends TypedColumn> {
  private values: T;
  length = 0;

  constructor(private readonly create: (length: number) => T) {
    this.values = create(1024);
  }

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = this.create(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** A copy of the first `count` values. */
  slice(count: number): T {
    return this.values.slice(0, count) as T;
  }
}

class Track {
  readonly sizes = new Column((length) => new Uint32Array(length));
  readonly durations = new Column((length) => new Uint32Array(length));
  readonly compositionOffsets = new Column((length) => new Int32Array(length));
  readonly nonSync = new Column((length) => new Uint8Array(length));
  readonly runs: Run[] = [];

  constructor(
    readonly id: number,
    readonly timescale: number,
    readonly isAudio: boolean,
    /** Where the original's edit list moves the media, as ffmpeg reads fragments: empty edit − media_time. */
    readonly editShift: number,
    readonly defaults: SampleDefaults | undefined,
  ) {}

  append(run: ParsedRun, fragmentEnd: number): void {
    for (let i = 0; i < run.sizes.length; i++) {
      this.sizes.push(run.sizes[i]!);
      this.durations.push(run.durations[i]!);
      this.compositionOffsets.push(run.compositionOffsets[i]!);
      this.nonSync.push(run.nonSync[i]! ? 1 : 0);
    }
    this.runs.push({ offset: run.offset, count: run.sizes.length, decodeTime: run.decodeTime, fragmentEnd });
  }
}

/** A track's tables for the samples of the fragments before some offset. */
interface TrackPlan {
  track: Track;
  runs: Run[];
  sizes: Uint32Array;
  durations: Uint32Array;
  compositionOffsets: Int32Array;
  nonSync: Uint8Array;
  mediaDuration: number;
  /** Presentation time of the first sample, in the media timescale. */
  start: number;
}

interface Edit {
  duration: number;
  mediaTime: number;
}

/** Follows a fragmented MP4 stream as it is produced and indexes its samples. */
export class FragmentIndex {
  private readonly boxes = new TopLevelBoxes({
    open: (header, start) => this.openBox(header, start),
    close: (start, end, box) => this.closeBox(start, end, box),
  });
  private boxType = '';
  private boxHeaderLength = 0;
  private ftyp: Buffer | undefined;
  private moov: { box: Buffer; headerLength: number } | undefined;
  private movieTimescale = 0;
  private readonly tracks = new Map<number, Track>();
  private headEnd = 0;
  private inFragments = false;
  private pending: { moofStart: number; runs: ParsedRun[] } | undefined;
  private lastFragmentEnd = 0;
  private failure: Error | undefined;

  /** Feed every byte of the stream, in order, in chunks of any size (1 byte to megabytes). Never throws on a short chunk; throws a clear Error on a malformed stream. */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    try {
      this.boxes.push(chunk);
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw this.failure;
    }
  }

  /** Length of the original head (ftyp + moov + anything before the first moof); 0 until the moov is complete. */
  get headLength(): number {
    return this.moov ? this.headEnd : 0;
  }

  /** Stream offset just past the last whole moof+mdat pair indexed so far (0 if none). */
  get fragmentsEnd(): number {
    return this.lastFragmentEnd;
  }

  /**
   * The head of the standard MP4 whose media is the samples of every whole fragment that lies before `end`
   * (`end` is a box boundary ≥ headLength, e.g. fragmentsEnd or the stream's total length with a trailing mfra).
   * Throws if no sample lies before `end` or if the moov was never seen.
   */
  progressiveHead(end: number): Buffer {
    if (!this.moov) throw new Error('progressive MP4: the stream has no complete moov yet');
    if (!Number.isSafeInteger(end) || end < this.headEnd || end > this.boxes.received) {
      throw new Error(
        `progressive MP4: end ${end} must lie between the head's end ${this.headEnd} and the ${this.boxes.received} bytes received`,
      );
    }
    const plans = new Map<number, TrackPlan>();
    for (const track of this.tracks.values()) plans.set(track.id, planTrack(track, end));
    if ([...plans.values()].every((plan) => plan.sizes.length === 0)) {
      throw new Error(`progressive MP4: no whole fragment (moof + mdat) ends at or before offset ${end}`);
    }
    const movieTimescale = exactMovieTimescale([...plans.values()]);
    const ftyp = STANDARD_FTYP;
    const measured = this.buildMoov(plans, movieTimescale, 0).length;
    const delta = ftyp.length + measured + 16 - this.headEnd;
    const moov = this.buildMoov(plans, movieTimescale, delta);
    const mdatHeader = Buffer.alloc(16);
    mdatHeader.writeUInt32BE(1, 0);
    mdatHeader.write('mdat', 4, 'latin1');
    mdatHeader.writeBigUInt64BE(BigInt(16 + end - this.headEnd), 8);
    return Buffer.concat([ftyp, moov, mdatHeader]);
  }

  /** Checks where a box stands in the stream; answers whether to keep its bytes (ftyp, moov, moof). */
  private openBox({ size, type, bytes: header }: BoxHeader, at: number): boolean {
    if (!/^[\x20-\x7e]{4}$/.test(type)) {
      throw new Error(`fragmented MP4: invalid box type ${JSON.stringify(type)} at offset ${at}`);
    }
    let keep = false;
    if (!this.inFragments) {
      if (type === 'mdat') throw new Error(`fragmented MP4: mdat at offset ${at} comes before any moof`);
      if ((type === 'ftyp' || type === 'moov') && (this.moov || (type === 'ftyp' && this.ftyp))) {
        throw new Error(`fragmented MP4: unexpected second '${type}' at offset ${at}`);
      }
      if (type === 'moof') {
        if (!this.moov) throw new Error(`fragmented MP4: moof at offset ${at} comes before the moov`);
        this.inFragments = true;
      }
      keep = type === 'ftyp' || type === 'moov' || type === 'moof';
    } else {
      if (type === 'ftyp' || type === 'moov') {
        throw new Error(`fragmented MP4: unexpected '${type}' at offset ${at} after the fragments began`);
      }
      if (type === 'moof' && this.pending) {
        throw new Error(
          `fragmented MP4: moof at offset ${at} follows the moof at offset ${this.pending.moofStart} without its mdat`,
        );
      }
      keep = type === 'moof';
    }
    if (keep && size > KEPT_BOX_LIMIT) {
      throw new Error(`fragmented MP4: '${type}' at offset ${at} is too large (${size} bytes)`);
    }
    this.boxType = type;
    this.boxHeaderLength = header.length;
    return keep;
  }

  private closeBox(start: number, end: number, box: Buffer | undefined): void {
    if (!this.inFragments) {
      if (this.boxType === 'ftyp' && box) this.ftyp = box;
      if (this.boxType === 'moov' && box) this.parseMoov(box, this.boxHeaderLength, start);
      this.headEnd = end;
    } else if (this.boxType === 'moof' && box) {
      this.pending = { moofStart: start, runs: this.parseMoof(box, this.boxHeaderLength, start) };
    } else if (this.boxType === 'mdat' && this.pending) {
      this.commit(start + this.boxHeaderLength, end);
    }
  }

  private parseMoov(moov: Buffer, headerLength: number, at: number): void {
    const trex = new Map<number, SampleDefaults>();
    const traks: Box[] = [];
    let sawMvex = false;
    for (const child of children(moov, headerLength, moov.length, at)) {
      if (child.type === 'mvhd') {
        need(moov, child, moov[child.body] === 1 ? 24 : 16, at);
        this.movieTimescale = moov.readUInt32BE(child.body + (moov[child.body] === 1 ? 20 : 12));
      } else if (child.type === 'trak') {
        traks.push(child);
      } else if (child.type === 'mvex') {
        sawMvex = true;
        for (const entry of children(moov, child.body, child.end, at)) {
          if (entry.type !== 'trex') continue;
          need(moov, entry, 24, at);
          trex.set(moov.readUInt32BE(entry.body + 4), {
            descriptionIndex: moov.readUInt32BE(entry.body + 8),
            duration: moov.readUInt32BE(entry.body + 12),
            size: moov.readUInt32BE(entry.body + 16),
            flags: moov.readUInt32BE(entry.body + 20),
          });
        }
      }
    }
    if (this.movieTimescale === 0) throw new Error('fragmented MP4: the moov has no mvhd with a timescale');
    if (!sawMvex) throw new Error('fragmented MP4: the moov has no mvex, so the stream is not fragmented');
    for (const trak of traks) {
      const track = this.parseTrak(moov, trak, at, trex);
      if (this.tracks.has(track.id)) throw new Error(`fragmented MP4: two traks have track_ID ${track.id}`);
      this.tracks.set(track.id, track);
    }
    this.moov = { box: moov, headerLength };
  }

  private parseTrak(moov: Buffer, trak: Box, at: number, trex: Map<number, SampleDefaults>): Track {
    const id = trackIdOf(moov, trak, at);
    const mdia = child(moov, trak, 'mdia', at);
    const mdhd = child(moov, mdia, 'mdhd', at);
    need(moov, mdhd, 24, at);
    const timescale = moov.readUInt32BE(mdhd.body + (moov[mdhd.body] === 1 ? 20 : 12));
    if (timescale === 0) throw new Error(`fragmented MP4: track ${id} has a media timescale of 0`);
    const hdlr = child(moov, mdia, 'hdlr', at);
    need(moov, hdlr, 12, at);
    const stbl = child(moov, child(moov, mdia, 'minf', at), 'stbl', at);
    for (const table of children(moov, stbl.body, stbl.end, at)) {
      const countAt = table.type === 'stsz' || table.type === 'stz2' ? 8 : 4;
      if (!['stts', 'ctts', 'stsc', 'stsz', 'stz2', 'stco', 'co64', 'stss'].includes(table.type)) continue;
      need(moov, table, countAt + 4, at);
      if (moov.readUInt32BE(table.body + countAt) !== 0) {
        throw new Error(
          `fragmented MP4: track ${id} already has samples in the moov (${table.type}); expected empty_moov`,
        );
      }
    }
    const edts = children(moov, trak.body, trak.end, at).find((box) => box.type === 'edts');
    const shift = edts ? this.editShift(moov, edts, id, timescale, at) : 0;
    const isAudio = moov.toString('latin1', hdlr.body + 8, hdlr.body + 12) === 'soun';
    return new Track(id, timescale, isAudio, shift, trex.get(id));
  }

  /**
   * ffmpeg reads an edit list on a fragmented track as a plain shift: a leading empty edit delays the
   * track, the media_time of the edit after it moves it earlier. Anything richer is refused.
   */
  private editShift(moov: Buffer, edts: Box, id: number, timescale: number, at: number): number {
    const elst = child(moov, edts, 'elst', at);
    need(moov, elst, 8, at);
    const version = moov[elst.body];
    const count = moov.readUInt32BE(elst.body + 4);
    const entrySize = version === 1 ? 20 : 12;
    if (elst.body + 8 + count * entrySize > elst.end)
      throw new Error(`fragmented MP4: track ${id} elst is truncated`);
    let empty = 0;
    let mediaTime = 0;
    let mediaEdit = 0;
    for (let i = 0; i < count; i++) {
      const entry = elst.body + 8 + i * entrySize;
      const duration =
        version === 1 ? safeNumber(moov.readBigUInt64BE(entry), 'elst duration') : moov.readUInt32BE(entry);
      const time =
        version === 1
          ? safeNumber(moov.readBigInt64BE(entry + 8), 'elst media_time')
          : moov.readInt32BE(entry + 4);
      const rate = moov.readInt32BE(entry + entrySize - 4);
      if (i === 0 && time === -1) {
        empty = duration;
        mediaEdit = 1;
      } else if (i === mediaEdit && i === count - 1 && time >= 0 && rate === 0x10000) {
        mediaTime = time;
      } else {
        throw new Error(
          `fragmented MP4: track ${id} has an edit list this tool cannot carry over (entry ${i})`,
        );
      }
    }
    return rescale(empty, timescale, this.movieTimescale, 'nearest') - mediaTime;
  }

  private parseMoof(moof: Buffer, headerLength: number, moofStart: number): ParsedRun[] {
    const runs: ParsedRun[] = [];
    let previousTrafEnd = moofStart;
    for (const box of children(moof, headerLength, moof.length, moofStart)) {
      if (box.type === 'traf') previousTrafEnd = this.parseTraf(moof, box, moofStart, previousTrafEnd, runs);
    }
    return runs;
  }

  /** Returns where the traf's sample data ends: the implicit base of the next traf. */
  private parseTraf(
    moof: Buffer,
    traf: Box,
    moofStart: number,
    implicitBase: number,
    runs: ParsedRun[],
  ): number {
    const tfhd = child(moof, traf, 'tfhd', moofStart);
    need(moof, tfhd, 8, moofStart);
    const tfhdFlags = moof.readUInt32BE(tfhd.body) & 0xffffff;
    const id = moof.readUInt32BE(tfhd.body + 4);
    const track = this.tracks.get(id);
    if (!track)
      throw new Error(`fragmented MP4: traf at offset ${moofStart + traf.start} names unknown track ${id}`);
    if (!track.defaults) throw new Error(`fragmented MP4: track ${id} has no trex in the moov's mvex`);
    const optional = [0x1, 0x2, 0x8, 0x10, 0x20].reduce(
      (sum, bit) => sum + (tfhdFlags & bit ? (bit === 1 ? 8 : 4) : 0),
      0,
    );
    need(moof, tfhd, 8 + optional, moofStart);
    let cursor = tfhd.body + 8;
    const read32 = (bit: number, fallback: number): number => {
      if (!(tfhdFlags & bit)) return fallback;
      cursor += 4;
      return moof.readUInt32BE(cursor - 4);
    };
    let base = tfhdFlags & 0x20000 ? moofStart : implicitBase;
    if (tfhdFlags & 0x1) {
      base = safeNumber(moof.readBigUInt64BE(cursor), 'base_data_offset');
      cursor += 8;
    }
    const defaults: SampleDefaults = {
      descriptionIndex: read32(0x2, track.defaults.descriptionIndex),
      duration: read32(0x8, track.defaults.duration),
      size: read32(0x10, track.defaults.size),
      flags: read32(0x20, track.defaults.flags),
    };
    if (defaults.descriptionIndex !== 1) {
      throw new Error(
        `fragmented MP4: track ${id} uses sample description ${defaults.descriptionIndex}; only 1 is supported`,
      );
    }
    let decodeTime: number | undefined;
    let dataEnd = base;
    for (const box of children(moof, traf.body, traf.end, moofStart)) {
      if (box.type === 'senc' || box.type === 'saiz' || box.type === 'saio') {
        throw new Error(
          `fragmented MP4: track ${id} has encrypted samples ('${box.type}'), which are not supported`,
        );
      }
      if (box.type === 'tfdt') {
        const wide = moof[box.body] === 1;
        need(moof, box, wide ? 12 : 8, moofStart);
        decodeTime = wide
          ? safeNumber(moof.readBigUInt64BE(box.body + 4), 'tfdt')
          : moof.readUInt32BE(box.body + 4);
      }
      if (box.type !== 'trun') continue;
      const run = parseTrun(moof, box, moofStart, track, defaults, base, dataEnd);
      dataEnd = run.offset + run.bytes;
      if (run.sizes.length === 0) continue;
      run.decodeTime = decodeTime;
      decodeTime = undefined;
      runs.push(run);
    }
    return dataEnd;
  }

  private commit(payloadStart: number, end: number): void {
    const pending = this.pending;
    if (!pending) return;
    for (const run of pending.runs) {
      if (run.offset < payloadStart || run.offset + run.bytes > end) {
        throw new Error(
          `fragmented MP4: the moof at offset ${pending.moofStart} puts track ${run.track.id}'s samples at ` +
            `[${run.offset}, ${run.offset + run.bytes}), outside the mdat payload [${payloadStart}, ${end}) after it`,
        );
      }
    }
    for (const run of pending.runs) run.track.append(run, end);
    this.pending = undefined;
    this.lastFragmentEnd = end;
  }

  private buildMoov(plans: Map<number, TrackPlan>, movieTimescale: number, delta: number): Buffer {
    const { box: moov, headerLength } = this.moov!;
    const parts: Buffer[] = [];
    let movieDuration = 0;
    const traks: Buffer[] = [];
    for (const box of children(moov, headerLength, moov.length, 0)) {
      if (box.type !== 'trak') continue;
      const plan = plans.get(trackIdOf(moov, box, 0))!;
      const edits = editsOf(plan, movieTimescale);
      const trackDuration = edits.reduce((sum, edit) => sum + edit.duration, 0);
      movieDuration = Math.max(movieDuration, trackDuration);
      traks.push(buildTrak(moov, box, plan, edits, trackDuration, delta));
    }
    let trakIndex = 0;
    for (const box of children(moov, headerLength, moov.length, 0)) {
      if (box.type === 'mvex') continue;
      if (box.type === 'trak') parts.push(traks[trakIndex++]!);
      else if (box.type === 'mvhd') {
        const mvhd = withDuration(moov, box, movieDuration, 16, 24);
        mvhd.writeUInt32BE(movieTimescale, box.body - box.start + (moov[box.body] === 1 ? 20 : 12));
        parts.push(mvhd);
      } else parts.push(moov.subarray(box.start, box.end));
    }
    return makeBox('moov', parts);
  }
}

function parseTrun(
  moof: Buffer,
  trun: Box,
  moofStart: number,
  track: Track,
  defaults: SampleDefaults,
  base: number,
  previousEnd: number,
): ParsedRun {
  need(moof, trun, 8, moofStart);
  const version = moof[trun.body];
  const flags = moof.readUInt32BE(trun.body) & 0xffffff;
  const count = moof.readUInt32BE(trun.body + 4);
  let cursor = trun.body + 8;
  const next = (): number => {
    cursor += 4;
    return moof.readUInt32BE(cursor - 4);
  };
  const fixed = (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
  const perSample = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length * 4;
  if (count > TRUN_SAMPLE_LIMIT || cursor + fixed + count * perSample > trun.end) {
    throw new Error(
      `fragmented MP4: trun at offset ${moofStart + trun.start} declares ${count} samples that do not fit its box`,
    );
  }
  // Without a data_offset, a run's data follows the previous run's (or starts at the traf's base).
  const offset = flags & 0x1 ? base + (next() | 0) : previousEnd;
  const firstFlags = flags & 0x4 ? next() : undefined;
  const run: ParsedRun = {
    track,
    offset,
    bytes: 0,
    decodeTime: undefined,
    sizes: [],
    durations: [],
    compositionOffsets: [],
    nonSync: [],
  };
  for (let i = 0; i < count; i++) {
    let duration = defaults.duration;
    let size = defaults.size;
    let sampleFlags = i === 0 && firstFlags !== undefined ? firstFlags : defaults.flags;
    let compositionOffset = 0;
    if (flags & 0x100) duration = next();
    if (flags & 0x200) size = next();
    if (flags & 0x400) sampleFlags = next();
    if (flags & 0x800) {
      compositionOffset = version === 0 ? next() : next() | 0;
      if (compositionOffset > 0x7fffffff) {
        throw new Error(
          `fragmented MP4: track ${track.id} has a composition offset ${compositionOffset} too large`,
        );
      }
    }
    run.sizes.push(size);
    run.durations.push(duration);
    run.compositionOffsets.push(compositionOffset);
    run.nonSync.push(
      (sampleFlags & SAMPLE_IS_NON_SYNC) !== 0 ||
        (sampleFlags & SAMPLE_DEPENDS_ON_MASK) === SAMPLE_DEPENDS_ON_OTHERS,
    );
    run.bytes += size;
  }
  return run;
}

function planTrack(track: Track, end: number): TrackPlan {
  const runs: Run[] = [];
  for (const run of track.runs) {
    if (run.fragmentEnd > end) break;
    runs.push(run);
  }
  const count = runs.reduce((sum, run) => sum + run.count, 0);
  const durations = track.durations.slice(count);
  const start = runs[0]?.decodeTime ?? 0;
  let decodeTime = start;
  let sample = 0;
  for (const run of runs) {
    if (run.decodeTime !== undefined && sample > 0 && run.decodeTime !== decodeTime) {
      // A gap (or overlap) between fragments: the sample before it lasts until the next one starts.
      const adjusted = durations[sample - 1]! + run.decodeTime - decodeTime;
      if (adjusted < 0 || adjusted > 0xffffffff) {
        throw new Error(
          `fragmented MP4: track ${track.id}'s fragment at decode time ${run.decodeTime} overlaps the one before it`,
        );
      }
      durations[sample - 1] = adjusted;
      decodeTime = run.decodeTime;
    }
    for (let i = sample; i < sample + run.count; i++) decodeTime += durations[i]!;
    sample += run.count;
  }
  return {
    track,
    runs,
    sizes: track.sizes.slice(count),
    durations,
    compositionOffsets: track.compositionOffsets.slice(count),
    nonSync: track.nonSync.slice(count),
    mediaDuration: decodeTime - start,
    start: start + track.editShift,
  };
}

/**
 * The media timescale of the track that ends last, so that the movie's duration is exact (ffprobe's
 * format duration), raised if need be so that every track's initial empty edit converts back to its
 * media timescale exactly (ffmpeg rounds that conversion, which would move the start time).
 */
function exactMovieTimescale(plans: TrackPlan[]): number {
  const endOf = (plan: TrackPlan): bigint => BigInt(plan.start + plan.mediaDuration);
  let last = plans[0]!;
  for (const plan of plans) {
    if (endOf(plan) * BigInt(last.track.timescale) > endOf(last) * BigInt(plan.track.timescale)) last = plan;
  }
  let result = BigInt(last.track.timescale);
  for (const plan of plans) {
    if (plan.start <= 0 || plan.sizes.length === 0) continue;
    const media = BigInt(plan.track.timescale);
    const common = gcd(BigInt(plan.start) * result, media);
    result = (result * media) / common;
  }
  if (result > 0xffffffffn)
    throw new Error(`progressive MP4: no 32-bit movie timescale keeps the start times exact`);
  return Number(result);
}

/** The new edit list of a track, in the movie timescale (empty when the media starts at time 0). */
function editsOf(plan: TrackPlan, movieTimescale: number): Edit[] {
  const { start, mediaDuration, track } = plan;
  const toMovie = (value: number): number => rescale(value, movieTimescale, track.timescale, 'up');
  if (plan.sizes.length === 0) return [];
  if (start > 0) {
    return [
      { duration: toMovie(start), mediaTime: -1 },
      { duration: toMovie(mediaDuration), mediaTime: 0 },
    ];
  }
  if (start === 0) return [{ duration: toMovie(mediaDuration), mediaTime: 0 }];
  if (-start >= mediaDuration) {
    throw new Error(
      `progressive MP4: track ${track.id}'s edit list skips all of its ${mediaDuration} media units`,
    );
  }
  return [{ duration: toMovie(mediaDuration + start), mediaTime: -start }];
}

function buildTrak(
  moov: Buffer,
  trak: Box,
  plan: TrackPlan,
  edits: Edit[],
  trackDuration: number,
  delta: number,
): Buffer {
  const parts: Buffer[] = [];
  for (const box of children(moov, trak.body, trak.end, 0)) {
    if (box.type === 'edts') continue;
    if (box.type === 'tkhd') {
      parts.push(withDuration(moov, box, trackDuration, 20, 28));
      // A lone edit at media time 0 says nothing the sample tables do not.
      if (edits.length > 1 || (edits[0] && edits[0].mediaTime !== 0)) parts.push(edtsOf(edits));
    } else if (box.type === 'mdia') {
      parts.push(
        rebuild(moov, box, (mdiaChild) => {
          if (mdiaChild.type === 'mdhd') return withDuration(moov, mdiaChild, plan.mediaDuration, 16, 24);
          if (mdiaChild.type !== 'minf') return undefined;
          return rebuild(moov, mdiaChild, (minfChild) =>
            minfChild.type === 'stbl' ? buildStbl(moov, minfChild, plan, delta) : undefined,
          );
        }),
      );
    } else parts.push(moov.subarray(box.start, box.end));
  }
  return makeBox('trak', parts);
}

/** Copies a container box, replacing the children for which `replace` returns a box. */
function rebuild(source: Buffer, container: Box, replace: (box: Box) => Buffer | undefined): Buffer {
  const parts = children(source, container.body, container.end, 0).map(
    (box) => replace(box) ?? source.subarray(box.start, box.end),
  );
  return makeBox(container.type, parts);
}

function buildStbl(moov: Buffer, stbl: Box, plan: TrackPlan, delta: number): Buffer {
  const parts = children(moov, stbl.body, stbl.end, 0)
    .filter((box) => !SAMPLE_TABLES.has(box.type))
    .map((box) => moov.subarray(box.start, box.end));
  parts.push(runLengths('stts', plan.durations, false));
  if (!plan.track.isAudio && plan.nonSync.includes(1)) {
    const syncSamples: number[] = [];
    plan.nonSync.forEach((nonSync, index) => {
      if (!nonSync) syncSamples.push(index + 1);
    });
    parts.push(fullBox('stss', 0, uint32s([syncSamples.length, ...syncSamples])));
  }
  if (plan.compositionOffsets.some((offset) => offset !== 0)) {
    parts.push(runLengths('ctts', plan.compositionOffsets, true));
  }
  const stsc: number[] = [];
  plan.runs.forEach((run, index) => {
    if (stsc.length === 0 || stsc[stsc.length - 2] !== run.count) stsc.push(index + 1, run.count, 1);
  });
  parts.push(fullBox('stsc', 0, uint32s([stsc.length / 3, ...stsc])));
  const sizes = plan.sizes;
  const constant = sizes.length > 0 && sizes.every((size) => size === sizes[0]);
  parts.push(
    fullBox('stsz', 0, constant ? uint32s([sizes[0]!, sizes.length]) : uint32s([0, sizes.length, ...sizes])),
  );
  const co64 = Buffer.alloc(4 + plan.runs.length * 8);
  co64.writeUInt32BE(plan.runs.length, 0);
  plan.runs.forEach((run, index) => {
    co64.writeBigUInt64BE(BigInt(run.offset + delta), 4 + index * 8);
  });
  parts.push(fullBox('co64', 0, co64));
  return makeBox('stbl', parts);
}

/** stts or ctts: (count, value) pairs; ctts is version 1 when an offset is negative. */
function runLengths(type: 'stts' | 'ctts', values: Uint32Array | Int32Array, signed: boolean): Buffer {
  const pairs: number[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i + 1;
    while (j < values.length && values[j] === values[i]) j++;
    pairs.push(j - i, values[i]!);
    i = j;
  }
  const negative = signed && values.some((value) => value < 0);
  const body = Buffer.alloc(4 + pairs.length * 4);
  body.writeUInt32BE(pairs.length / 2, 0);
  pairs.forEach((value, index) => {
    if (index % 2 === 1 && negative) body.writeInt32BE(value, 4 + index * 4);
    else body.writeUInt32BE(value, 4 + index * 4);
  });
  return fullBox(type, negative ? 1 : 0, body);
}

function edtsOf(edits: Edit[]): Buffer {
  const wide = edits.some((edit) => edit.duration > 0xffffffff || edit.mediaTime > 0x7fffffff);
  const entrySize = wide ? 20 : 12;
  const body = Buffer.alloc(4 + edits.length * entrySize);
  body.writeUInt32BE(edits.length, 0);
  edits.forEach((edit, index) => {
    const at = 4 + index * entrySize;
    if (wide) {
      body.writeBigUInt64BE(BigInt(edit.duration), at);
      body.writeBigInt64BE(BigInt(edit.mediaTime), at + 8);
    } else {
      body.writeUInt32BE(edit.duration, at);
      body.writeInt32BE(edit.mediaTime, at + 4);
    }
    body.writeInt32BE(0x10000, at + entrySize - 4);
  });
  return makeBox('edts', [fullBox('elst', wide ? 1 : 0, body)]);
}

/** A copy of an mvhd, tkhd or mdhd with its duration set; v0 boxes have 32 bits for it. */
function withDuration(
  source: Buffer,
  box: Box,
  duration: number,
  version0At: number,
  version1At: number,
): Buffer {
  const copy = Buffer.from(source.subarray(box.start, box.end));
  const body = box.body - box.start;
  const version = copy[body];
  if (copy.length < body + (version === 1 ? version1At + 8 : version0At + 4)) {
    throw new Error(`progressive MP4: '${box.type}' is too short`);
  }
  if (version === 1) copy.writeBigUInt64BE(BigInt(duration), body + version1At);
  else if (duration > 0xffffffff) {
    throw new Error(
      `progressive MP4: duration ${duration} does not fit the 32-bit field of the version 0 '${box.type}'`,
    );
  } else copy.writeUInt32BE(duration, body + version0At);
  return copy;
}

function makeBox(type: string, parts: Buffer[]): Buffer {
  const size = parts.reduce((sum, part) => sum + part.length, 8);
  if (size > 0xffffffff) throw new Error(`progressive MP4: '${type}' would exceed 4 GiB`);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...parts]);
}

function fullBox(type: string, version: number, body: Buffer): Buffer {
  const versionAndFlags = Buffer.alloc(4);
  versionAndFlags.writeUInt8(version, 0);
  return makeBox(type, [versionAndFlags, body]);
}

function uint32s(values: ArrayLike<number>): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buffer.writeUInt32BE(values[i]!, i * 4);
  return buffer;
}

/** The child boxes of `buffer[from, to)`; `at` is the stream offset of buffer[0], for error messages. */
function children(buffer: Buffer, from: number, to: number, at: number): Box[] {
  const boxes: Box[] = [];
  let position = from;
  while (position < to) {
    if (to - position < 8) throw new Error(`fragmented MP4: truncated box header at offset ${at + position}`);
    let size = buffer.readUInt32BE(position);
    let body = position + 8;
    if (size === 1) {
      if (to - position < 16)
        throw new Error(`fragmented MP4: truncated box header at offset ${at + position}`);
      size = safeNumber(buffer.readBigUInt64BE(position + 8), `box size at offset ${at + position}`);
      body += 8;
    } else if (size === 0) {
      size = to - position;
    }
    const type = buffer.toString('latin1', position + 4, position + 8);
    if (size < body - position || position + size > to) {
      throw new Error(`fragmented MP4: invalid size ${size} of box '${type}' at offset ${at + position}`);
    }
    boxes.push({ type, start: position, body, end: position + size });
    position += size;
  }
  return boxes;
}

function trackIdOf(moov: Buffer, trak: Box, at: number): number {
  const tkhd = child(moov, trak, 'tkhd', at);
  need(moov, tkhd, 24, at);
  return moov.readUInt32BE(tkhd.body + (moov[tkhd.body] === 1 ? 20 : 12));
}

function child(buffer: Buffer, parent: Box, type: string, at: number): Box {
  const found = children(buffer, parent.body, parent.end, at).find((box) => box.type === type);
  if (!found)
    throw new Error(`fragmented MP4: '${parent.type}' at offset ${at + parent.start} has no '${type}'`);
  return found;
}

function need(buffer: Buffer, box: Box, bodyLength: number, at: number): void {
  if (box.end - box.body < bodyLength || buffer.length < box.body + bodyLength) {
    throw new Error(`fragmented MP4: '${box.type}' at offset ${at + box.start} is too short`);
  }
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Error(`fragmented MP4: ${what} ${value} is out of range`);
  }
  return Number(value);
}

/** value × to / from, rounded like ffmpeg's av_rescale ('nearest') or up. */
function rescale(value: number, to: number, from: number, rounding: 'nearest' | 'up'): number {
  const product = BigInt(value) * BigInt(to);
  const divisor = BigInt(from);
  const bias = rounding === 'up' ? divisor - 1n : divisor / 2n;
  return safeNumber((product + bias) / divisor, 'rescaled time');
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}
