import { ConfigError, parseRecorderEnv } from './config.js';
import { log } from './log.js';
import { runRecorder } from './recorder.js';
import { createReporter } from './reporter.js';

// A stray rejection must not end a recording that is otherwise going well.
process.on('unhandledRejection', (reason) => log('unhandled_rejection', { error: String(reason) }));

try {
  const env = parseRecorderEnv(process.env);
  process.exitCode = await runRecorder(env);
} catch (error) {
  const message = error instanceof ConfigError ? error.message : String(error);
  log('config_invalid', { error: message });
  const reporter = createReporter({
    tableName: undefined,
    taskToken: process.env['TASK_TOKEN'],
    recordingId: '',
  });
  await reporter.failed('InvalidConfig', message).catch(() => undefined);
  process.exitCode = 2;
}
// Puppeteer and SDK sockets may keep the event loop alive once the work is done.
setTimeout(() => process.exit(), 500).unref();
