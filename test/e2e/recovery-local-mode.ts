import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalMode, type LocalModeOptions, startLocalMode } from '../../local/local-mode.js';
import { FREE_PORTS } from './local-mode.js';

/** Far longer than any wait of the recovery tests: a quick outcome can only come from the stop event or the reconciler. */
export const LONG_HEARTBEAT_SECONDS = 600;

/** Local mode for the recovery tests (one per file: the handlers keep their clients per process), its log kept in `lines`. */
export function startRecoveryLocalMode(
  options: Partial<LocalModeOptions>,
  lines: string[],
): Promise<LocalMode> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return startLocalMode({
    ports: FREE_PORTS,
    dataDir: mkdtempSync(join(tmpdir(), 'meeting-recorder-e2e-')),
    apiKeys: [{ clientId: 'e2e', key: `mrk_e2e_${Date.now()}` }],
    // No link reminder: the tests wait for the executions to end.
    settings: { POWERTOOLS_LOG_LEVEL: 'ERROR', LINK_REMINDER_SECONDS: '0' },
    recorderHeartbeatSeconds: LONG_HEARTBEAT_SECONDS,
    log: (line) => {
      lines.push(line);
      if (process.env.E2E_VERBOSE) console.log(line);
    },
    ...options,
  });
}
