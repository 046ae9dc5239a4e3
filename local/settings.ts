import type { ApiKeySpec } from './api-keys.js';
import { portFromEnv, portsFromEnv } from './emulators/index.js';
import type { LocalModePorts } from './local-mode.js';

export const DEFAULT_CLIENT_ID = 'local';
export const DEFAULT_API_KEY = 'mrk_local_development_key';

/** `LOCAL_API_PORT`, `LOCAL_SFN_PORT`, `LOCAL_SQS_PORT`, `LOCAL_DEMO_PORT` and the emulators'; 47080, 47100-47105. */
export function localPorts(env: NodeJS.ProcessEnv = process.env): LocalModePorts {
  return {
    ...portsFromEnv(env),
    api: portFromEnv('LOCAL_API_PORT', 47_080, env),
    sfn: portFromEnv('LOCAL_SFN_PORT', 47_103, env),
    sqs: portFromEnv('LOCAL_SQS_PORT', 47_105, env),
    demo: portFromEnv('LOCAL_DEMO_PORT', 47_104, env),
  };
}

/** `LOCAL_API_KEYS=client:key,...`, else one key `LOCAL_API_KEY` (default DEFAULT_API_KEY) for client `local`. */
export function localApiKeys(env: NodeJS.ProcessEnv = process.env): ApiKeySpec[] {
  const list = env.LOCAL_API_KEYS?.trim();
  if (!list)
    return [{ clientId: DEFAULT_CLIENT_ID, key: env.LOCAL_API_KEY || DEFAULT_API_KEY, name: 'local' }];
  return list.split(',').map((pair) => {
    const separator = pair.indexOf(':');
    const clientId = pair.slice(0, separator).trim();
    const key = pair.slice(separator + 1).trim();
    if (separator <= 0 || !clientId || !key) {
      throw new Error(`LOCAL_API_KEYS entries are client:key, got "${pair}"`);
    }
    return { clientId, key, name: `${clientId} (local)` };
  });
}
