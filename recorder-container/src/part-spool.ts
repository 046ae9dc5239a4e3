import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from './log.js';

/** The error code of a file system error, without the path. */
function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? errorMessage(error);
}

/** The spool could not keep a part: the disk is full or the configured cap reached. */
export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}

export interface PartSpoolOptions {
  /** Where parts beyond `memoryParts` wait; created on the first spill, removed by `close()`. */
  directory: string;
  /** Parts kept in memory; later ones go to disk until these are sent. */
  memoryParts: number;
  /** Bytes the directory may hold; 0 or absent: until the disk is full. */
  maxDiskBytes?: number;
  /** Called once, when the first part is refused. */
  onFailure?: (error: SpoolFullError) => void;
  now?: () => number;
}

export interface SpooledPart {
  readonly partNumber: number;
  readonly bytes: number;
  readonly since: number;
}

interface Entry extends SpooledPart {
  body: Buffer | undefined;
  file: string | undefined;
  written: Promise<void>;
}

export interface Backlog {
  parts: number;
  bytes: number;
  inMemoryParts: number;
  diskBytes: number;
  oldestWaitingMs: number;
}

/**
 * The parts of one upload that are cut but not yet sent, oldest first. A few are held in memory, the
 * rest on disk. Once a part cannot be kept, it and every later one are refused, so that what waits
 * is always a run of consecutive parts: a playable prefix of the recording.
 */
export class PartSpool {
  private readonly waiting: Entry[] = [];
  private diskBytes = 0;
  private created: Promise<unknown> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  failure: SpoolFullError | undefined;

  constructor(private readonly options: PartSpoolOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Keeps a part; false once the spool has failed (the part is dropped, as every later one). */
  add(partNumber: number, body: Buffer): boolean {
    if (this.failure) return false;
    const entry: Entry = {
      partNumber,
      bytes: body.length,
      since: this.now(),
      body,
      file: undefined,
      written: Promise.resolve(),
    };
    const inMemory = this.waiting.filter((waiting) => waiting.file === undefined).length;
    if (inMemory >= this.options.memoryParts) {
      const cap = this.options.maxDiskBytes ?? 0;
      if (cap > 0 && this.diskBytes + body.length > cap) {
        this.fail(partNumber, `the spool cap of ${cap} bytes is reached`);
        return false;
      }
      this.spill(entry);
    }
    this.waiting.push(entry);
    return true;
  }

  /** The oldest waiting part, if any. */
  head(): SpooledPart | undefined {
    return this.waiting[0];
  }

  /** The body of the oldest part (read back from disk if it was spilled); undefined if the spool dropped it. */
  async read(part: SpooledPart): Promise<Buffer | undefined> {
    const entry = this.waiting.find((waiting) => waiting.partNumber === part.partNumber);
    if (!entry) return undefined;
    await entry.written;
    if (entry.body) return entry.body;
    if (!entry.file || !this.waiting.includes(entry)) return undefined;
    try {
      return await readFile(entry.file);
    } catch (error) {
      this.fail(entry.partNumber, `it could not be read back (${reason(error)})`);
      return undefined;
    }
  }

  /** The part went up: forgets it and deletes its file. */
  async release(part: SpooledPart): Promise<void> {
    const index = this.waiting.findIndex((waiting) => waiting.partNumber === part.partNumber);
    if (index < 0) return;
    const [entry] = this.waiting.splice(index, 1);
    if (entry?.file) await this.forget(entry);
  }

  get backlog(): Backlog {
    const oldest = this.waiting[0];
    return {
      parts: this.waiting.length,
      bytes: this.waiting.reduce((sum, entry) => sum + entry.bytes, 0),
      inMemoryParts: this.waiting.filter((entry) => entry.body !== undefined).length,
      diskBytes: this.diskBytes,
      oldestWaitingMs: oldest ? this.now() - oldest.since : 0,
    };
  }

  /** Resolves once every spilled part is on disk (or refused). */
  flushed(): Promise<void> {
    return this.writes;
  }

  /** Removes the spool directory and everything still in it. */
  async close(): Promise<void> {
    this.waiting.splice(0);
    await this.writes;
    if (this.created) await rm(this.options.directory, { recursive: true, force: true });
  }

  /** Writes one part to disk after the ones before it; its body stays in memory until it is there. */
  private spill(entry: Entry): void {
    const file = join(this.options.directory, `part-${String(entry.partNumber).padStart(5, '0')}`);
    entry.file = file;
    this.diskBytes += entry.bytes;
    this.created ??= mkdir(this.options.directory, { recursive: true });
    const created = this.created;
    entry.written = this.writes = this.writes.then(async () => {
      if (this.failure || !this.waiting.includes(entry)) return;
      try {
        await created;
        await writeFile(file, entry.body ?? Buffer.alloc(0));
        entry.body = undefined;
      } catch (error) {
        const full = (error as NodeJS.ErrnoException).code === 'ENOSPC';
        this.fail(entry.partNumber, full ? 'the disk is full' : `it could not be written (${reason(error)})`);
      }
    });
  }

  /** Drops `partNumber` and every later part; the earlier ones stay to be sent. */
  private fail(partNumber: number, why: string): void {
    const dropped = this.waiting.filter((entry) => entry.partNumber >= partNumber);
    if (!this.failure) {
      this.failure = new SpoolFullError(`part ${partNumber} could not be kept: ${why}`);
      this.options.onFailure?.(this.failure);
    }
    for (const entry of dropped) {
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      entry.body = undefined;
      if (entry.file) void this.forget(entry);
    }
  }

  private async forget(entry: Entry): Promise<void> {
    this.diskBytes -= entry.bytes;
    const file = entry.file;
    entry.file = undefined;
    if (file) await rm(file, { force: true });
  }
}
