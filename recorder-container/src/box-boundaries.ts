import { TopLevelBoxes } from '../../lambdas/media/mp4-boxes.js';

/**
 * Says up to which offset the top-level boxes of a fragmented MP4 stream are whole, so that every
 * uploaded part ends on a box boundary: any prefix of the parts is then a playable file (ftyp + moov +
 * whole fragments), which salvage after a crash relies on.
 */
export class Mp4BoxBoundaries {
  /** Stream offset up to which every top-level box is complete. */
  completeEnd = 0;
  private readonly boxes = new TopLevelBoxes({
    open: () => false,
    close: (_start, end) => {
      this.completeEnd = end;
    },
  });

  push(chunk: Buffer): number {
    this.boxes.push(chunk);
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
