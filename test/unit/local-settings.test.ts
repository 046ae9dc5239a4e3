import { describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, localApiKeys, localPorts } from '../../local/settings.js';

describe('local mode settings', () => {
  it('seeds one default key, or LOCAL_API_KEY, for client "local"', () => {
    expect(localApiKeys({})).toEqual([{ clientId: 'local', key: DEFAULT_API_KEY, name: 'local' }]);
    expect(localApiKeys({ LOCAL_API_KEY: 'k1' })[0]).toMatchObject({ clientId: 'local', key: 'k1' });
  });

  it('reads LOCAL_API_KEYS as client:key pairs, keys may contain colons', () => {
    expect(localApiKeys({ LOCAL_API_KEYS: 'a:k1, b:k:2', LOCAL_API_KEY: 'ignored' })).toEqual([
      { clientId: 'a', key: 'k1', name: 'a (local)' },
      { clientId: 'b', key: 'k:2', name: 'b (local)' },
    ]);
    expect(() => localApiKeys({ LOCAL_API_KEYS: 'nokey' })).toThrow(/client:key/);
    expect(() => localApiKeys({ LOCAL_API_KEYS: ':k' })).toThrow(/client:key/);
  });

  it('uses 47xxx ports unless told otherwise', () => {
    expect(localPorts({})).toEqual({
      api: 47_080,
      dynamodb: 47_100,
      s3: 47_101,
      ses: 47_102,
      sfn: 47_103,
      sqs: 47_105,
      demo: 47_104,
    });
    expect(localPorts({ LOCAL_API_PORT: '8080', LOCAL_S3_PORT: '0' })).toMatchObject({ api: 8080, s3: 0 });
  });
});
