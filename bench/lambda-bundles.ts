/**
 * Bundles every Lambda entry (lambdas/handlers/**) with esbuild the way lib/lambda-function.ts has CDK do it,
 * then reports bundle size and module init time: the median of cold imports, each in a fresh node process,
 * next to the import of an empty module measured the same way in the same rounds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { fixed, median, ratio, table, writeResult } from './support/report.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HANDLERS = join(ROOT, 'lambdas', 'handlers');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/** The settings of lib/lambda-function.ts's `bundling` (NodejsFunction), as esbuild options. */
const CDK_BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: [],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'silent',
};

/** What the handlers read while they load; no AWS call happens at import. */
const IMPORT_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'recordings',
  BUCKET_NAME: 'recordings',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:recordings',
  SENDER_EMAIL: 'recordings@example.com',
  CURSOR_SECRET: 'bench',
  POWERTOOLS_SERVICE_NAME: 'meeting-recorder',
  POWERTOOLS_METRICS_NAMESPACE: 'MeetingRecorder',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

function entries(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return entries(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Milliseconds from before to after `import()` of the module, in a fresh node process. */
function coldImportMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); process.stdout.write(String(performance.now() - t));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...IMPORT_ENV },
    encoding: 'utf8',
  });
  return Number(output);
}

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'lambda-bundles-'));
  try {
    const empty = join(out, 'empty.mjs');
    writeFileSync(empty, 'export {};\n');
    const bundles: { name: string; file: string; bytes: number; gzipBytes: number }[] = [];
    for (const entry of entries(HANDLERS).sort()) {
      const name = relative(HANDLERS, entry).replace(/\.ts$/, '');
      const file = join(out, `${name.replace(/\//g, '__')}.mjs`);
      await build({ ...CDK_BUNDLING, entryPoints: [entry], outfile: file });
      const code = readFileSync(file);
      bundles.push({ name, file, bytes: code.length, gzipBytes: gzipSync(code).length });
    }
    const samples = new Map<string, number[]>([
      ['(empty module)', []],
      ...bundles.map((b) => [b.name, []] as [string, number[]]),
    ]);
    for (let round = 0; round < ROUNDS; round++) {
      samples.get('(empty module)')!.push(coldImportMs(empty));
      for (const bundle of bundles) samples.get(bundle.name)!.push(coldImportMs(bundle.file));
    }
    const baseline = median(samples.get('(empty module)')!);
    const smallest = Math.min(...bundles.map((b) => b.bytes));
    const rows = bundles.map((bundle) => {
      const init = median(samples.get(bundle.name)!);
      return {
        ...bundle,
        initMs: init,
        initVsEmpty: init / baseline,
        sizeVsSmallest: bundle.bytes / smallest,
      };
    });
    console.log(
      `Lambda bundles (esbuild as lib/lambda-function.ts: ESM, node24, minified, SDK bundled); init = median of ${ROUNDS} cold imports, each in a fresh node ${process.version} process\n`,
    );
    console.log(
      table(
        ['handler', 'bundle KiB', 'gzip KiB', 'size vs smallest', 'init ms', 'init vs empty module'],
        [
          ...rows.map((row) => [
            row.name,
            fixed(row.bytes / 1024),
            fixed(row.gzipBytes / 1024),
            ratio(row.bytes, smallest),
            fixed(row.initMs),
            ratio(row.initMs, baseline),
          ]),
          ['(empty module)', '0.0', '0.0', '', fixed(baseline, 2), '1.00×'],
        ],
      ),
    );
    const path = writeResult('lambda-bundles', {
      method:
        'esbuild with the NodejsFunction settings of lib/lambda-function.ts; init = dynamic import() time in a fresh node process, median of rounds, interleaved',
      node: process.version,
      rounds: ROUNDS,
      bundling: CDK_BUNDLING,
      emptyModuleImportMs: baseline,
      handlers: rows.map(({ file: _file, ...row }) => row),
    });
    console.log(`\nwrote ${path}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
