import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport } from './demo/format-report.js';
import { runDemo } from './demo/run-demo.js';
import { startLocalMode } from './local-mode.js';
import { localApiKeys } from './settings.js';

// `npm run demo [-- --seconds N] [--json]`: local mode on free ports, one recording of the demo meeting end
// to end, a report. Progress goes to stderr so that --json output stays clean.
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);
if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3000) {
  console.error('--seconds must be a whole number from 5 to 3000');
  process.exit(2);
}
const progress = (line: string) => console.error(line);

progress('Checking system packages (Chromium, ffmpeg, Xvfb, PulseAudio, Java)…');
try {
  execFileSync('bash', [resolve(import.meta.dirname, '../scripts/ensure-system-packages.sh')], {
    stdio: 'inherit',
  });
} catch {
  process.exit(1);
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
progress('Starting local mode…');
const local = await startLocalMode({
  ports: { api: 0, dynamodb: 0, s3: 0, ses: 0, sfn: 0, sqs: 0, demo: 0 },
  dataDir: mkdtempSync(join(tmpdir(), 'meeting-recorder-demo-')),
  apiKeys: localApiKeys(),
  ...(process.env.DEMO_VERBOSE ? { log: progress } : {}),
});
let exitCode = 0;
const interrupt = () => void local.stop().then(() => process.exit(130));
process.once('SIGINT', interrupt);
try {
  const report = await runDemo(local, { seconds, outputDir: resolve('.local/demo'), progress });
  console.log(values.json ? JSON.stringify(report, null, 2) : `\n${formatReport(report)}`);
  progress(
    `\nThe SES emulator's mail UI was at ${local.endpoints.ses}/ (run \`npm start\` to keep one running).`,
  );
} catch (error) {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await local.stop();
}
process.exit(exitCode);
