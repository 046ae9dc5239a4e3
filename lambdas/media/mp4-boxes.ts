/** The header of a top-level MP4 box: `bytes` is the header itself (8 bytes, or 16 with a 64-bit size). */
export interface BoxHeader {
  size: number;
  type: string;
  bytes: Buffer;
}

/** What a reader of top-level MP4 boxes is told as the stream goes by. */
export interface TopLevelBoxVisitor {
  /** A box begins at stream offset `start`; answers whether its bytes should be gathered for `close`. */
  open(header: BoxHeader, start: number): boolean;
  /** The box ends at `end`; `box` holds its bytes (header included) when `open` asked for them. */
  close(start: number, end: number, box: Buffer | undefined): void;
}

/** Follows the top-level boxes of an MP4 stream fed in chunks of any size (1 byte to megabytes). */
export class TopLevelBoxes {
  /** Bytes pushed so far. */
  received = 0;
  private boxStart = 0;
  private boxEnd: number | undefined;
  private header = Buffer.alloc(0);
  private kept: Buffer[] | undefined;

  constructor(private readonly visitor: TopLevelBoxVisitor) {}

  push(chunk: Buffer): void {
    const chunkStart = this.received;
    this.received += chunk.length;
    let position = 0;
    while (position < chunk.length) {
      if (this.boxEnd === undefined) {
        position += this.readHeader(chunk, position);
        if (this.boxEnd === undefined) continue;
      }
      const endInChunk = this.boxEnd - chunkStart;
      const stop = Math.min(endInChunk, chunk.length);
      if (this.kept && stop > position) this.kept.push(Buffer.from(chunk.subarray(position, stop)));
      position = Math.max(position, stop);
      if (endInChunk > chunk.length) break;
      const box = this.kept ? Buffer.concat(this.kept) : undefined;
      const start = this.boxStart;
      this.kept = undefined;
      this.boxStart = this.boxEnd;
      this.boxEnd = undefined;
      this.visitor.close(start, this.boxStart, box);
    }
  }

  /** Takes what the header still needs from `chunk`; opens the box once the header is whole. */
  private readHeader(chunk: Buffer, position: number): number {
    const wanted = this.header.length >= 8 && this.header.readUInt32BE(0) === 1 ? 16 : 8;
    const used = Math.min(wanted - this.header.length, chunk.length - position);
    this.header = Buffer.concat([this.header, chunk.subarray(position, position + used)]);
    if (this.header.length < wanted) return used;
    let size = this.header.readUInt32BE(0);
    if (size === 1) {
      if (this.header.length < 16) return used;
      const wide = this.header.readBigUInt64BE(8);
      if (wide > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`MP4: box size ${wide} is too large`);
      size = Number(wide);
    }
    const header = { size, type: this.header.toString('latin1', 4, 8), bytes: this.header };
    const at = this.boxStart;
    this.header = Buffer.alloc(0);
    if (size === 0) throw new Error(`MP4: box '${header.type}' at offset ${at} has size 0 (to end of file)`);
    if (size < header.bytes.length) throw new Error(`MP4: invalid box size ${size} at offset ${at}`);
    this.kept = this.visitor.open(header, at) ? [header.bytes] : undefined;
    this.boxEnd = at + size;
    return used;
  }
}
