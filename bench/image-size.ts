/**
 * The recorder image Fargate pulls: built from recorder-container/Dockerfile as it is (the test's own
 * Docker engine and stand-in base, test/support/docker-engine.ts), then its size uncompressed, as gzip
 * (what a registry stores by default) and as zstd, and how long each takes here to decompress. The pull's
 * download part is an estimate at an assumed network rate (--network-mbps, megabytes per second), since
 * AWS publishes no Fargate pull throughput. Needs root, dockerd and debootstrap.
 *
 * Options: --network-mbps 100 --tag meeting-recorder:bench
 */
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, createZstdCompress, createZstdDecompress } from 'node:zlib';
import { DockerEngine, dockerUnavailable } from '../test/support/docker-engine.js';
import { option } from './support/args.js';
import { fixed, table, writeResult } from './support/report.js';

const NETWORK_MBPS = Number(option('network-mbps', '100'));
const TAG = option('tag', 'meeting-recorder:bench');
const TARGET_BYTES = 1_000_000_000;
const MB = 1_000_000;

const unavailable = dockerUnavailable();
if (unavailable) {
  console.error(`image-size: ${unavailable}`);
  process.exit(1);
}

/** Collects a stream into one buffer, so that decompression is timed without the compression. */
function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

async function compressedImage(engine: DockerEngine, kind: 'gzip' | 'zstd'): Promise<Buffer> {
  const [file, ...args] = engine.command(['save', TAG]);
  const save = spawn(file!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  await pipeline(
    save.stdout,
    kind === 'gzip' ? createGzip({ level: 6 }) : createZstdCompress(),
    collector(chunks),
  );
  return Buffer.concat(chunks);
}

async function decompressSeconds(data: Buffer, kind: 'gzip' | 'zstd'): Promise<number> {
  const started = process.hrtime.bigint();
  await pipeline(Readable.from([data]), kind === 'gzip' ? createGunzip() : createZstdDecompress(), discard());
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const engine = await DockerEngine.start();
try {
  await engine.ensureBaseImage();
  const buildStarted = Date.now();
  await engine.build(TAG);
  const buildSeconds = (Date.now() - buildStarted) / 1000;
  const uncompressedBytes = Number(
    (await engine.docker(['image', 'inspect', '--format', '{{.Size}}', TAG])).trim(),
  );
  const layers = (await engine.docker(['history', '--format', '{{.Size}}\t{{.CreatedBy}}', TAG]))
    .trim()
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([size]) => size !== '0B')
    .map(([size, createdBy]) => ({ size: size ?? '', createdBy: (createdBy ?? '').slice(0, 100) }));

  const results = [];
  for (const kind of ['gzip', 'zstd'] as const) {
    const data = await compressedImage(engine, kind);
    const seconds = await decompressSeconds(data, kind);
    results.push({
      kind,
      bytes: data.length,
      decompressSeconds: seconds,
      estimatedPullSeconds: data.length / (NETWORK_MBPS * MB) + seconds,
    });
  }
  console.log(
    table(
      ['image', 'MB', 'decompress here (s)', `pull estimate at ${NETWORK_MBPS} MB/s (s)`],
      [
        ['uncompressed', fixed(uncompressedBytes / MB, 0), '', ''],
        ...results.map((r) => [
          r.kind,
          fixed(r.bytes / MB, 0),
          fixed(r.decompressSeconds),
          fixed(r.estimatedPullSeconds),
        ]),
      ],
    ),
  );
  console.log(
    `\nbuilt in ${fixed(buildSeconds, 0)} s; target ≤ ${TARGET_BYTES / MB} MB uncompressed: ${uncompressedBytes <= TARGET_BYTES ? 'met' : 'missed'}`,
  );
  for (const layer of layers) console.log(`  ${layer.size.padStart(8)}  ${layer.createdBy}`);
  const path = writeResult('image-size', {
    tag: TAG,
    buildSeconds,
    uncompressedBytes,
    targetBytes: TARGET_BYTES,
    networkMegabytesPerSecond: NETWORK_MBPS,
    compressed: results,
    layers,
  });
  console.log(`\nwrote ${path}`);
} finally {
  await engine.stop();
}
