import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiKeySpec } from '../../local/api-keys.js';
import { type ApiClient, apiClient } from '../../local/demo/api-client.js';
import { type LocalMode, startLocalMode } from '../../local/local-mode.js';

export const FREE_PORTS = { api: 0, dynamodb: 0, s3: 0, ses: 0, sfn: 0, demo: 0 };

/** Local mode on free ports with fresh data, for one test file; `settings` as a user would set them. */
export async function startTestLocalMode(
  options: {
    apiKeys?: ApiKeySpec[];
    settings?: NodeJS.ProcessEnv;
    waitOverridesMs?: Record<string, number>;
  } = {},
): Promise<LocalMode> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return startLocalMode({
    ports: FREE_PORTS,
    dataDir: mkdtempSync(join(tmpdir(), 'meeting-recorder-e2e-')),
    apiKeys: options.apiKeys ?? [{ clientId: 'e2e', key: `mrk_e2e_${Date.now()}` }],
    settings: { POWERTOOLS_LOG_LEVEL: 'ERROR', ...options.settings },
    ...(options.waitOverridesMs ? { waitOverridesMs: options.waitOverridesMs } : {}),
    ...(process.env.E2E_VERBOSE ? { log: (line: string) => console.log(line) } : {}),
  });
}

/** An API client with the n-th seeded key. */
export function clientFor(local: LocalMode, index = 0): ApiClient {
  const key = local.apiKeys[index];
  if (!key) throw new Error(`no API key #${index}`);
  return apiClient(local.endpoints.api, key.key);
}
