/**
 * Live Matroska (what ffmpeg writes to a pipe) has a Segment of unknown size, no Duration and no Cues,
 * so players cannot show its length or seek in it without reading it all. MatroskaIndex follows the
 * stream as it goes by (level-1 elements, the blocks of each cluster) and, at finish, gives what turns
 * it into a regular file without moving a byte of media: a new head of exactly the old head's length
 * (Segment size, a SeekHead that points at the Cues, Info with a Duration, the rest padded with Void)
 * and the Cues, to be appended after the last cluster.
 */

const ID = {
  segment: 0x18538067,
  seekHead: 0x114d9b74,
  seek: 0x4dbb,
  seekId: 0x53ab,
  seekPosition: 0x53ac,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  cluster: 0x1f43b675,
  clusterTimecode: 0xe7,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
  cues: 0x1c53bb6b,
  cuePoint: 0xbb,
  cueTime: 0xb3,
  cueTrackPositions: 0xb7,
  cueTrack: 0xf7,
  cueClusterPosition: 0xf1,
  cueRelativePosition: 0xf0,
  void: 0xec,
} as const;

const VIDEO_TRACK_TYPE = 1;
/** A video frame at 30 fps in nanoseconds: the last frame lasts this long. */
const LAST_FRAME_NS = 1e9 / 30;

interface Vint {
  value: number;
  length: number;
  unknown: boolean;
}

/** An EBML variable-size integer at `offset`: the element ID (marker kept) or a size (marker removed). */
function readVint(buffer: Buffer, offset: number, keepMarker: boolean): Vint | undefined {
  const first = buffer[offset];
  if (first === undefined || first === 0)
    return first === 0 ? invalid('vint longer than 8 bytes') : undefined;
  const length = Math.clz32(first) - 23;
  if (offset + length > buffer.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let index = 1; index < length; index += 1) {
    const byte = buffer[offset + index] ?? 0;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

function invalid(message: string): never {
  throw new Error(`Matroska: ${message}`);
}

interface ElementHeader {
  id: number;
  idLength: number;
  /** Header bytes (ID and size). */
  headerLength: number;
  /** Undefined: unknown size. */
  size: number | undefined;
}

function readHeader(buffer: Buffer, offset: number): ElementHeader | undefined {
  const id = readVint(buffer, offset, true);
  if (!id) return undefined;
  const size = readVint(buffer, offset + id.length, false);
  if (!size) return undefined;
  return {
    id: id.value,
    idLength: id.length,
    headerLength: id.length + size.length,
    size: size.unknown ? undefined : size.value,
  };
}

/** The children of an element body, in order. */
function* children(body: Buffer): Generator<{ id: number; data: Buffer; raw: Buffer }> {
  let offset = 0;
  while (offset < body.length) {
    const header = readHeader(body, offset);
    if (!header || header.size === undefined) invalid('child element cut short or of unknown size');
    const end = offset + header.headerLength + header.size;
    if (end > body.length) invalid('child element runs past its parent');
    yield {
      id: header.id,
      data: body.subarray(offset + header.headerLength, end),
      raw: body.subarray(offset, end),
    };
    offset = end;
  }
}

function readUint(data: Buffer): number {
  let value = 0;
  for (const byte of data) value = value * 256 + byte;
  return value;
}

function idBytes(id: number): Buffer {
  const length = id >= 0x1000000 ? 4 : id >= 0x10000 ? 3 : id >= 0x100 ? 2 : 1;
  return uintBytes(id, length);
}

function uintBytes(value: number, length = Math.max(1, Math.ceil(Math.log2(value + 1) / 8))): Buffer {
  const bytes = Buffer.alloc(length);
  let rest = value;
  for (let index = length - 1; index >= 0; index -= 1) {
    bytes[index] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}

/** A size as an EBML vint of `length` bytes (the shortest that fits, unless given). */
function sizeVint(size: number, length?: number): Buffer {
  const needed = length ?? [1, 2, 3, 4, 5, 6, 7, 8].find((bytes) => size < 2 ** (7 * bytes) - 1);
  if (needed === undefined || size >= 2 ** (7 * needed) - 1) invalid(`size ${size} does not fit`);
  const bytes = uintBytes(size, needed);
  bytes[0] = (bytes[0] ?? 0) | (0x80 >> (needed - 1));
  return bytes;
}

function element(id: number, body: Buffer): Buffer {
  return Buffer.concat([idBytes(id), sizeVint(body.length), body]);
}

const uintElement = (id: number, value: number) => element(id, uintBytes(value));

/** A Void element of exactly `length` bytes (0 or at least 2). */
function voidElement(length: number): Buffer {
  if (length === 0) return Buffer.alloc(0);
  if (length === 1) invalid('no room for a one-byte Void');
  const sizeLength = length >= 10 ? 8 : 1;
  return Buffer.concat([
    idBytes(ID.void),
    sizeVint(length - 1 - sizeLength, sizeLength),
    Buffer.alloc(length - 1 - sizeLength),
  ]);
}

interface CuePoint {
  time: number;
  clusterPosition: number;
  relativePosition: number;
}

export class MatroskaIndex {
  /** Bytes not yet consumed; they start at stream offset `pendingFrom`. */
  private pending: Buffer = Buffer.alloc(0);
  private pendingFrom = 0;
  private segmentSizeAt: number | undefined;
  private segmentSizeLength = 0;
  private segmentDataStart: number | undefined;
  /** Level-1 elements before the first cluster, whole. */
  private readonly headElements: Array<{ id: number; raw: Buffer }> = [];
  /** The EBML header and the Segment's own header, as they came. */
  private readonly streamStart: Buffer[] = [];
  private firstClusterAt: number | undefined;
  private timecodeScale = 1_000_000;
  private videoTrack: number | undefined;
  private readonly cuePoints: CuePoint[] = [];
  private endTime = 0;
  /** Stream offset after the last whole element. */
  private completeEnd = 0;

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const header = readHeader(this.pending, 0);
      if (!header) return;
      if (header.id === ID.segment) {
        if (this.segmentDataStart !== undefined) invalid('a second Segment');
        this.segmentSizeLength = header.headerLength - header.idLength;
        this.segmentSizeAt = this.pendingFrom + header.headerLength - this.segmentSizeLength;
        this.streamStart.push(Buffer.from(this.pending.subarray(0, header.headerLength)));
        this.consume(header.headerLength);
        this.segmentDataStart = this.pendingFrom;
        this.completeEnd = this.pendingFrom;
        continue;
      }
      if (header.size === undefined) invalid(`element ${header.id.toString(16)} of unknown size`);
      const length = header.headerLength + header.size;
      if (this.pending.length < length) return;
      const start = this.pendingFrom;
      this.visit(header.id, this.pending.subarray(0, length), header.headerLength, start);
      this.consume(length);
      this.completeEnd = this.pendingFrom;
    }
  }

  private consume(length: number): void {
    this.pending = this.pending.subarray(length);
    this.pendingFrom += length;
  }

  private visit(id: number, raw: Buffer, headerLength: number, start: number): void {
    if (this.segmentDataStart === undefined) {
      this.streamStart.push(Buffer.from(raw)); // the EBML header
      return;
    }
    const body = raw.subarray(headerLength);
    if (id === ID.cluster) {
      this.firstClusterAt ??= start;
      this.indexCluster(body, start - this.segmentDataStart);
      return;
    }
    if (this.firstClusterAt !== undefined) return;
    this.headElements.push({ id, raw: Buffer.from(raw) });
    if (id === ID.info) {
      for (const child of children(body))
        if (child.id === ID.timecodeScale) this.timecodeScale = readUint(child.data);
    }
    if (id === ID.tracks) {
      for (const entry of children(body)) {
        if (entry.id !== ID.trackEntry) continue;
        let number: number | undefined;
        let type: number | undefined;
        for (const field of children(entry.data)) {
          if (field.id === ID.trackNumber) number = readUint(field.data);
          if (field.id === ID.trackType) type = readUint(field.data);
        }
        if (type === VIDEO_TRACK_TYPE && this.videoTrack === undefined) this.videoTrack = number;
      }
    }
  }

  /** Every video keyframe becomes a cue point; every block extends the duration. */
  private indexCluster(body: Buffer, clusterPosition: number): void {
    let clusterTime: number | undefined;
    for (const child of children(body)) {
      if (child.id === ID.clusterTimecode) clusterTime = readUint(child.data);
      const isSimple = child.id === ID.simpleBlock;
      if (!isSimple && child.id !== ID.blockGroup) continue;
      if (clusterTime === undefined) invalid('a block before its cluster timecode');
      const block = isSimple
        ? child.data
        : [...children(child.data)].find((field) => field.id === ID.block)?.data;
      if (!block) continue;
      const track = readVint(block, 0, false);
      if (!track) invalid('block cut short');
      const time = clusterTime + block.readInt16BE(track.length);
      this.endTime = Math.max(this.endTime, time);
      const keyframe = isSimple && ((block[track.length + 2] ?? 0) & 0x80) !== 0;
      if (keyframe && track.value === this.videoTrack) {
        const relativePosition = child.raw.byteOffset - body.byteOffset;
        this.cuePoints.push({ time, clusterPosition, relativePosition });
      }
    }
  }

  /** Bytes before the first cluster: what `finish` rewrites, at the same length. */
  get headLength(): number {
    return this.firstClusterAt ?? invalid('no cluster yet');
  }

  /**
   * The new head (exactly `headLength` bytes) and the Cues that go right after `completeEnd`, for a
   * stream that ends there. Throws if the stream cannot be finished this way.
   */
  finish(): { head: Buffer; cues: Buffer } {
    const dataStart = this.segmentDataStart;
    const sizeAt = this.segmentSizeAt;
    if (dataStart === undefined || sizeAt === undefined) invalid('no Segment');
    if (this.pending.length > 0) invalid('the stream ends inside an element');
    if (this.cuePoints.length === 0) invalid('no video keyframe');
    const cues = element(
      ID.cues,
      Buffer.concat(
        this.cuePoints.map((point) =>
          element(
            ID.cuePoint,
            Buffer.concat([
              uintElement(ID.cueTime, point.time),
              element(
                ID.cueTrackPositions,
                Buffer.concat([
                  uintElement(ID.cueTrack, this.videoTrack ?? 1),
                  uintElement(ID.cueClusterPosition, point.clusterPosition),
                  uintElement(ID.cueRelativePosition, point.relativePosition),
                ]),
              ),
            ]),
          ),
        ),
      ),
    );
    const durationTicks = this.endTime + LAST_FRAME_NS / this.timecodeScale;
    const kept = this.headElements.filter((entry) => entry.id !== ID.seekHead && entry.id !== ID.void);
    const withDuration = kept.map((entry) =>
      entry.id === ID.info ? this.infoWithDuration(entry.raw, durationTicks) : entry.raw,
    );
    const seekHead = (positions: number[]) =>
      element(
        ID.seekHead,
        Buffer.concat(
          [...kept.map((entry) => entry.id), ID.cues].map((id, index) =>
            element(
              ID.seek,
              Buffer.concat([
                element(ID.seekId, idBytes(id)),
                uintElement(ID.seekPosition, positions[index] ?? 0),
              ]),
            ),
          ),
        ),
      );
    // Positions depend on the SeekHead's own length, which depends on them only through their widths.
    const cuesPosition = this.completeEnd - dataStart;
    let positions = [...kept.map(() => 0), cuesPosition];
    for (let round = 0; round < 3; round += 1) {
      let offset = seekHead(positions).length;
      positions = [
        ...withDuration.map((raw) => {
          const position = offset;
          offset += raw.length;
          return position;
        }),
        cuesPosition,
      ];
    }
    const body = Buffer.concat([seekHead(positions), ...withDuration]);
    const room = this.headLength - dataStart;
    if (body.length > room || body.length === room - 1) invalid('no room in the head for the index');
    const segmentSize = this.completeEnd + cues.length - dataStart;
    const head = Buffer.concat([
      Buffer.concat(this.streamStart).subarray(0, sizeAt),
      sizeVint(segmentSize, this.segmentSizeLength),
      body,
      voidElement(room - body.length),
    ]);
    return { head, cues };
  }

  private infoWithDuration(raw: Buffer, durationTicks: number): Buffer {
    const header = readHeader(raw, 0);
    if (!header) invalid('Info cut short');
    const duration = Buffer.alloc(8);
    duration.writeDoubleBE(durationTicks);
    const fields = [...children(raw.subarray(header.headerLength))]
      .filter((child) => child.id !== ID.duration)
      .map((child) => child.raw);
    return element(ID.info, Buffer.concat([...fields, element(ID.duration, duration)]));
  }
}
