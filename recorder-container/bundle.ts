/**
 * The recorder as the container runs it: one ESM file built with esbuild. The Dockerfile builds it with
 * `npx tsx recorder-container/bundle.ts /out/recorder.mjs`; local mode builds the same file and runs it.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const MAIN = fileURLToPath(new URL('./src/main.ts', import.meta.url));

export async function bundleRecorder(outfile: string): Promise<string> {
  await build({
    entryPoints: [MAIN],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    // Bundled CommonJS dependencies (puppeteer-core's, the AWS SDK's) still call require.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = process.argv[2];
  if (!outfile) {
    console.error('usage: tsx recorder-container/bundle.ts <outfile>');
    process.exit(2);
  }
  await bundleRecorder(outfile);
}
