/**
 * Peak memory of one archive build: 20 recordings of --mib MiB each (random bytes) in s3rver and DynamoDB
 * Local, zipped by the real builder (lambdas/archives/build-archive.ts) in a process of its own, so that
 * its RSS is the builder's alone (s3rver runs in this one). Prints and writes the builder's baseline and
 * peak RSS, the peak's growth over the baseline, the bytes zipped and the rate, for --runs runs.
 *
 * Options: --recordings 20 --mib 32 --runs 3
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { type Archive, archiveIdFor, archiveObjectKey } from '../lambdas/archives/archive.js';
import { ArchiveStore } from '../lambdas/archives/archive-store.js';
import { buildArchive } from '../lambdas/archives/build-archive.js';
import { DynamoRecordingStore } from '../lambdas/store/dynamo-recording-store.js';
import { startEmulators } from '../local/emulators/index.js';
import { uploadedRecording } from '../test/support/recordings.js';
import { option } from './support/args.js';
import { fixed, median, table, writeResult } from './support/report.js';

const MIB = 1024 * 1024;

if (process.argv.includes('--child')) {
  await buildInThisProcess(process.argv[process.argv.indexOf('--child') + 1]!);
} else {
  await main();
}

async function main(): Promise<void> {
  const count = Number(option('recordings', '20'));
  const mib = Number(option('mib', '32'));
  const runs = Number(option('runs', '3'));
  const emulators = await startEmulators({ ports: { dynamodb: 0, s3: 0, ses: 0 } });
  try {
    Object.assign(process.env, emulators.env, { AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required' });
    const { tableName, bucketName } = emulators.resources;
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const s3 = new S3Client({ forcePathStyle: true });
    const recordings = new DynamoRecordingStore(documents, tableName);
    const file = randomBytes(mib * MIB);
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const id = `rec_${ulid()}`;
      const recording = uploadedRecording({
        id,
        clientId: 'bench',
        status: 'INVOKED',
        meetingId: `m-${index}`,
        objectKey: `recordings/bench/m-${index}/${id}/Weekly sync.mp4`,
      });
      await recordings.create(recording);
      await s3.send(new PutObjectCommand({ Bucket: bucketName, Key: recording.objectKey, Body: file }));
      await recordings.transition(id, 'RECORDING');
      await recordings.transition(id, 'UPLOADED', { file: { ...recording.file!, sizeBytes: file.length } });
      ids.push(id);
    }
    const archives = new ArchiveStore(documents, tableName);
    const results: ChildResult[] = [];
    for (let run = 0; run < runs; run += 1) {
      const id = archiveIdFor('bench', [...ids, `run-${run}`]);
      const archive: Archive = {
        id,
        clientId: 'bench',
        recordingIds: ids,
        status: 'PENDING',
        generation: ulid(),
        requestedAt: new Date().toISOString(),
        objectKey: archiveObjectKey('bench', id),
        sizeBytes: null,
        readyAt: null,
        expiresAt: null,
        error: null,
      };
      await archives.request(archive, undefined);
      // Not spawnSync: s3rver serves the child's requests from this process's event loop.
      const child = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--child',
          JSON.stringify({ archive, tableName, bucketName }),
        ],
        { env: process.env, encoding: 'utf8', maxBuffer: 16 * MIB },
      );
      results.push(JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildResult);
    }
    const mibOf = (bytes: number) => bytes / MIB;
    const rows = results.map((result, index) => [
      `run ${index + 1}`,
      fixed(mibOf(result.baselineRss)),
      fixed(mibOf(result.peakRss)),
      fixed(mibOf(result.peakRss - result.baselineRss)),
      fixed(mibOf(result.zipBytes)),
      fixed(mibOf(result.zipBytes) / result.seconds),
    ]);
    const growth = results.map((result) => mibOf(result.peakRss - result.baselineRss));
    console.log(
      table(['archive build', 'baseline RSS MiB', 'peak RSS MiB', 'growth MiB', 'ZIP MiB', 'MiB/s'], rows),
    );
    console.log(
      `\n${count} recordings of ${mib} MiB: the builder's RSS grew by a median ${fixed(median(growth))} MiB ` +
        `(${fixed(Math.min(...growth))}–${fixed(Math.max(...growth))}) while it zipped ${fixed(mibOf(results[0]!.zipBytes))} MiB.`,
    );
    console.log(`wrote ${writeResult('archive-memory', { recordings: count, fileMiB: mib, runs: results })}`);
    documents.destroy();
    s3.destroy();
  } finally {
    await emulators.stop();
  }
}

interface ChildResult {
  baselineRss: number;
  peakRss: number;
  zipBytes: number;
  seconds: number;
}

async function buildInThisProcess(input: string): Promise<void> {
  const { archive, tableName, bucketName } = JSON.parse(input) as {
    archive: Archive;
    tableName: string;
    bucketName: string;
  };
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client({ forcePathStyle: true });
  const archives = new ArchiveStore(documents, tableName);
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const outcome = await buildArchive(archive, {
    archives,
    recordings: new DynamoRecordingStore(documents, tableName),
    s3,
    bucket: bucketName,
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if (outcome !== 'built') throw new Error(`build ${outcome}`);
  const zipBytes = (await archives.get(archive.id))!.sizeBytes!;
  console.log(JSON.stringify({ baselineRss, peakRss, zipBytes, seconds }));
}
