/**
 * Follows the top-level boxes of a fragmented MP4 stream and says up to which offset the boxes are
 * whole, so that every uploaded part ends on a box boundary: any prefix of the parts is then a
 * playable file (ftyp + moov + whole fragments), which salvage after a crash relies on.
 */
export class Mp4BoxBoundaries {
  private received = 0;
  private boxStart = 0;
  private boxEnd: number | undefined;
  private header = Buffer.alloc(0);
  /** Stream offset up to which every top-level box is complete. */
  completeEnd = 0;

  push(chunk: Buffer): number {
    const chunkStart = this.received;
    this.received += chunk.length;
    let position = 0;
    while (position < chunk.length) {
      if (this.boxEnd === undefined) {
        const wanted = this.header.length >= 8 && this.header.readUInt32BE(0) === 1 ? 16 : 8;
        const take = Math.min(wanted - this.header.length, chunk.length - position);
        this.header = Buffer.concat([this.header, chunk.subarray(position, position + take)]);
        position += take;
        if (this.header.length < wanted) continue;
        let size = this.header.readUInt32BE(0);
        if (size === 1) {
          if (this.header.length < 16) continue;
          size = Number(this.header.readBigUInt64BE(8));
        }
        if (size < this.header.length)
          throw new Error(`invalid MP4 box size ${size} at offset ${this.boxStart}`);
        this.boxEnd = this.boxStart + size;
        this.header = Buffer.alloc(0);
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
