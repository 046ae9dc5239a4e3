import { type ApiKeySpec, putApiKey, type SeededApiKey } from '../../local/api-keys.js';
import { documents, tableName } from './aws.js';

export type { ApiKeySpec, SeededApiKey } from '../../local/api-keys.js';
export { apiKeyHash, newApiKey } from '../../local/api-keys.js';

/** Stores an API key for `clientId` (random key unless given) and returns it with its keyId. */
export function createApiKey(spec: ApiKeySpec): Promise<SeededApiKey> {
  return putApiKey(documents, tableName(), spec);
}
