/**
 * Follows the top-level boxes of a fragmented MP4 stream and says up to which offset the boxes are
 * whole, so that every uploaded part ends on a box boundary: any prefix of the parts is then a
 * playable file (ftyp + moov + whole fragments), which salvage after a crash relies on.
 */
/** The header of a top-level MP4 box: `bytes` is the header itself (8 bytes, or 16 with a 64-bit size). */
export interface BoxHeader {
  size: number;
  type: string;
  bytes: Buffer;
}

/** Collects one top-level box header across chunks of any size. */
export class BoxHeaderReader {
  private bytes = Buffer.alloc(0);

  /** Reads from `chunk` at `position`: how many bytes it used, and the header once it is whole. */
  read(chunk: Buffer, position: number): { used: number; header?: BoxHeader } {
    const wanted = this.bytes.length >= 8 && this.bytes.readUInt32BE(0) === 1 ? 16 : 8;
    const used = Math.min(wanted - this.bytes.length, chunk.length - position);
    this.bytes = Buffer.concat([this.bytes, chunk.subarray(position, position + used)]);
    if (this.bytes.length < wanted) return { used };
    let size = this.bytes.readUInt32BE(0);
    if (size === 1) {
      if (this.bytes.length < 16) return { used };
      const wide = this.bytes.readBigUInt64BE(8);
      if (wide > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`MP4 box size ${wide} is too large`);
      size = Number(wide);
    }
    const header = { size, type: this.bytes.toString('latin1', 4, 8), bytes: this.bytes };
    this.bytes = Buffer.alloc(0);
    return { used, header };
  }
}

export class Mp4BoxBoundaries {
  private received = 0;
  private boxStart = 0;
  private boxEnd: number | undefined;
  private readonly headers = new BoxHeaderReader();
  /** Stream offset up to which every top-level box is complete. */
  completeEnd = 0;

  push(chunk: Buffer): number {
    const chunkStart = this.received;
    this.received += chunk.length;
    let position = 0;
    while (position < chunk.length) {
      if (this.boxEnd === undefined) {
        const { used, header } = this.headers.read(chunk, position);
        position += used;
        if (!header) continue;
        if (header.size < header.bytes.length)
          throw new Error(`invalid MP4 box size ${header.size} at offset ${this.boxStart}`);
        this.boxEnd = this.boxStart + header.size;
      }
      const endInChunk = this.boxEnd - chunkStart;
      if (endInChunk > chunk.length) break;
      position = endInChunk;
      this.completeEnd = this.boxEnd;
      this.boxStart = this.boxEnd;
      this.boxEnd = undefined;
    }
    return this.completeEnd;
  }
}

/** For formats whose readers tolerate a cut anywhere (Matroska): every byte counts as complete. */
export class AnyBoundaries {
  completeEnd = 0;

  push(chunk: Buffer): number {
    this.completeEnd += chunk.length;
    return this.completeEnd;
  }
}
