import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { portFromEnv } from '../../local/emulators/ports.js';
import { spawnGroup } from '../../local/emulators/process-group.js';

/** Running, not a zombie (an orphan may wait a while for a busy or absent reaper). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('spawnGroup', () => {
  it('stops the leader and every process it started', async () => {
    const group = spawnGroup('sh', ['-c', 'sleep 30 & echo $!; wait']);
    const childPid = await new Promise<number>((resolve) =>
      group.child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    expect(alive(childPid)).toBe(true);
    await group.stop();
    expect(alive(group.child.pid!)).toBe(false);
    await expect.poll(() => alive(childPid)).toBe(false);
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const group = spawnGroup('sh', ['-c', "trap '' TERM; echo ready; while true; do sleep 0.1; done"]);
    await new Promise((resolve) => group.child.stdout?.once('data', resolve));
    const started = Date.now();
    await group.stop(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(group.child.signalCode).toBe('SIGKILL');
  });

  it('reports an early exit with the output', async () => {
    const group = spawnGroup('sh', ['-c', 'echo nope >&2; exit 3']);
    await expect(group.exited).rejects.toThrow(/exited early \(code 3.*\n.*nope/s);
  });
});

describe('portFromEnv', () => {
  it('reads a port, falls back when unset, and refuses junk', () => {
    expect(portFromEnv('P', 47_100, { P: '0' })).toBe(0);
    expect(portFromEnv('P', 47_100, { P: '5000' })).toBe(5000);
    expect(portFromEnv('P', 47_100, {})).toBe(47_100);
    expect(() => portFromEnv('P', 1, { P: '70000' })).toThrow(/P must be a port/);
    expect(() => portFromEnv('P', 1, { P: 'x' })).toThrow();
  });
});
