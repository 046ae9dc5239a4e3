import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PartSpool, type SpoolFullError } from '../src/part-spool.js';

const scratch = mkdtempSync(join(tmpdir(), 'part-spool-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let spools = 0;
function spool(options: { memoryParts?: number; maxDiskBytes?: number; directory?: string } = {}) {
  spools += 1;
  const failures: SpoolFullError[] = [];
  const created = new PartSpool({
    directory: options.directory ?? join(scratch, `spool-${spools}`),
    memoryParts: options.memoryParts ?? 2,
    ...(options.maxDiskBytes ? { maxDiskBytes: options.maxDiskBytes } : {}),
    onFailure: (error) => failures.push(error),
  });
  return { spool: created, failures };
}

/** A part whose bytes say which part it is. */
const part = (partNumber: number, bytes = 1000) => Buffer.alloc(bytes, partNumber);

/** Takes every waiting part in order, as the uploader does, and returns their numbers and bodies. */
async function drain(spool: PartSpool) {
  const taken: Array<{ partNumber: number; body: Buffer | undefined }> = [];
  for (let head = spool.head(); head; head = spool.head()) {
    taken.push({ partNumber: head.partNumber, body: await spool.read(head) });
    await spool.release(head);
  }
  return taken;
}

describe('the part spool', () => {
  it('keeps the order, holds only a few parts in memory and the rest on disk', async () => {
    const { spool: parts, failures } = spool({ memoryParts: 2 });
    for (let number = 1; number <= 10; number += 1) {
      expect(parts.add(number, part(number))).toBe(true);
      await parts.flushed();
      expect(parts.backlog.inMemoryParts).toBeLessThanOrEqual(2);
    }
    expect(parts.backlog).toMatchObject({ parts: 10, bytes: 10_000, inMemoryParts: 2, diskBytes: 8000 });
    const directory = join(scratch, `spool-${spools}`);
    expect(readdirSync(directory)).toHaveLength(8);
    // The head goes up: the next new part takes its place in memory, older ones wait on disk.
    await parts.release(parts.head()!);
    parts.add(11, part(11));
    const taken = await drain(parts);
    expect(taken.map((entry) => entry.partNumber)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const entry of taken) expect(entry.body?.equals(part(entry.partNumber))).toBe(true);
    expect(readdirSync(directory)).toEqual([]);
    expect(parts.backlog).toMatchObject({ parts: 0, bytes: 0, diskBytes: 0, oldestWaitingMs: 0 });
    await parts.close();
    expect(existsSync(directory)).toBe(false);
    expect(failures).toEqual([]);
  });

  it('at its cap refuses the part and every later one, and keeps the ones before', async () => {
    const { spool: parts, failures } = spool({ memoryParts: 1, maxDiskBytes: 2500 });
    const accepted = [1, 2, 3, 4, 5].map((number) => parts.add(number, part(number)));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(failures.map((failure) => failure.message)).toEqual([
      'part 4 could not be kept: the spool cap of 2500 bytes is reached',
    ]);
    expect(parts.add(6, part(6, 10))).toBe(false);
    const taken = await drain(parts);
    expect(taken.map((entry) => entry.partNumber)).toEqual([1, 2, 3]);
    for (const entry of taken) expect(entry.body?.equals(part(entry.partNumber))).toBe(true);
    await parts.close();
  });

  it.runIf(process.getuid?.() === 0)(
    'on a full disk (ENOSPC) drops the part that did not fit and every later one',
    async () => {
      const mountPoint = join(scratch, 'small-disk');
      mkdirSync(mountPoint);
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], {
        encoding: 'utf8',
      });
      expect(mounted.status, mounted.stderr).toBe(0);
      try {
        const { spool: parts, failures } = spool({ memoryParts: 1, directory: join(mountPoint, 'spool') });
        // 64 KiB of disk: the third part spilled (the fourth overall) does not fit. Every write is tried
        // before the drain starts: a part sent and deleted meanwhile would free room for a later one.
        for (let number = 1; number <= 8; number += 1) parts.add(number, part(number, 24 * 1024));
        await parts.flushed();
        const taken = await drain(parts);
        expect(failures).toHaveLength(1);
        expect(failures[0]?.message).toBe('part 4 could not be kept: the disk is full');
        expect(taken.map((entry) => entry.partNumber)).toEqual([1, 2, 3]);
        for (const entry of taken) expect(entry.body?.equals(part(entry.partNumber, 24 * 1024))).toBe(true);
        expect(parts.add(9, part(9))).toBe(false);
        await parts.close();
        expect(readdirSync(mountPoint)).toEqual([]);
      } finally {
        spawnSync('umount', [mountPoint]);
      }
    },
  );

  it('a part that cannot be read back ends the run there', async () => {
    const { spool: parts, failures } = spool({ memoryParts: 1 });
    for (let number = 1; number <= 4; number += 1) parts.add(number, part(number));
    const directory = join(scratch, `spool-${spools}`);
    await parts.read(parts.head()!);
    await parts.release(parts.head()!);
    // Part 2 waits on disk; something removes it.
    await parts.read({ partNumber: 4, bytes: 1000, since: 0 });
    rmSync(join(directory, 'part-00002'));
    const taken = await drain(parts);
    expect(taken.map((entry) => entry.partNumber)).toEqual([2]);
    expect(taken[0]?.body).toBeUndefined();
    expect(failures[0]?.message).toBe('part 2 could not be kept: it could not be read back (ENOENT)');
    expect(parts.backlog.parts).toBe(0);
    await parts.close();
  });
});
