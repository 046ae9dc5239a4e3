import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';

/**
 * Network partitions that behave like AWS's: packets dropped, so connections hang instead of being
 * refused. Everything runs in a network namespace whose only interface is loopback, with its own
 * iptables, so a rule can never touch the host's traffic. Needs root, `ip` (iproute2) and `iptables`.
 */
export interface NetworkNamespace {
  readonly name: string;
  /** The command line that runs `argv` inside the namespace. */
  command(argv: readonly string[]): string[];
  /** Spawns `command` inside the namespace, in its own process group (see `killGroup`). */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Drops every packet to TCP `port` on loopback: new connections and open ones hang. */
  blockTcpPort(port: number): void;
  unblockTcpPort(port: number): void;
  /** SIGKILLs every process still inside, then deletes the namespace; safe to call twice. */
  remove(): void;
}

/** Why partitions cannot run here, or undefined when they can. */
export function partitionUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'network partition tests need root (ip netns, iptables)';
  for (const [tool, args] of [
    ['ip', ['-V']],
    ['iptables', ['--version']],
  ] as const) {
    const found = spawnSync(tool, args, { encoding: 'utf8' });
    if (found.error || found.status !== 0)
      return `network partition tests need \`${tool}\` (scripts/ensure-system-packages.sh --tests)`;
  }
  return undefined;
}

function run(argv: readonly string[]): void {
  const [command, ...args] = argv;
  const result = spawnSync(command ?? 'true', args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr || result.error?.message}`);
}

/** A fresh loopback-only namespace named `<prefix><pid>`. */
export function createNetworkNamespace(prefix: string): NetworkNamespace {
  const name = `${prefix}${process.pid}`;
  spawnSync('ip', ['netns', 'del', name]);
  run(['ip', 'netns', 'add', name]);
  const inside = (argv: readonly string[]) => ['ip', 'netns', 'exec', name, ...argv];
  let removed = false;
  const namespace: NetworkNamespace = {
    name,
    command: inside,
    spawn(command, args, options = {}) {
      const [ip, ...rest] = inside([command, ...args]);
      return spawn(ip ?? 'ip', rest, { detached: true, ...options });
    },
    blockTcpPort(port) {
      run(inside(['iptables', '-I', 'OUTPUT', '-p', 'tcp', '--dport', String(port), '-j', 'DROP']));
    },
    unblockTcpPort(port) {
      run(inside(['iptables', '-D', 'OUTPUT', '-p', 'tcp', '--dport', String(port), '-j', 'DROP']));
    },
    remove() {
      if (removed) return;
      removed = true;
      const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids
        .split('\n')
        .map(Number)
        .filter((pid) => pid > 0)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
  try {
    run(inside(['ip', 'link', 'set', 'lo', 'up']));
  } catch (error) {
    namespace.remove();
    throw error;
  }
  return namespace;
}

/** Signals the process group of a process spawned by `NetworkNamespace.spawn`. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
