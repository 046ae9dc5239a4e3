/**
 * `npm run bench`: every available benchmark, one after another, each in its own process so that none warms
 * the next. Each writes bench/results/<name>.json and prints its table. `npm run bench -- cost` runs one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = [
  'lambda-bundles',
  'control-plane',
  'cost',
  'recorder-efficiency',
  'av-sync',
  'start-latency',
  'stop-to-email',
  'thousand-recordings',
  'archive-memory',
  'partition-s3',
  'image-size',
] as const;

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}
const failed: string[] = [];
for (const name of chosen.length > 0 ? chosen : BENCHMARKS) {
  console.log(`\n=== ${name} ===\n`);
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
