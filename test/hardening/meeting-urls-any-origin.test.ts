import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../support/api-keys.js';
import { uniqueClientId } from '../support/table.js';
import { type ApiUnderTest, startApiUnderTest } from './support/api-under-test.js';
import { HOSTILE_MEETING_URLS } from './support/hostile-urls.js';
import { closeConnections } from './support/http-client.js';
import { recordingCount, unrefusedUrls } from './support/meeting-url-checks.js';
import { startRecording } from './support/world.js';

// ALLOWED_MEETING_ORIGINS=* ("any public https host"): local mode's default, and what a deployment without
// an allow-list gets. Here only the policy's own address and name checks stand between a client and the
// account's network.
let api: ApiUnderTest;
let key: string;
let clientId: string;

beforeAll(async () => {
  api = await startApiUnderTest({ ALLOWED_MEETING_ORIGINS: '*', ALLOW_LOOPBACK_HTTP: 'false' });
  clientId = uniqueClientId('any-origin');
  key = (await createApiKey({ clientId })).key;
});

afterAll(async () => {
  closeConnections();
  await api.stop();
});

describe('meeting URLs on a deployment that allows any public host', () => {
  for (const [group, urls] of Object.entries(HOSTILE_MEETING_URLS)) {
    it(`refuses ${group} with 400 and stores nothing`, async () => {
      const before = await recordingCount(api, key);
      expect(await unrefusedUrls(api, key, clientId, urls)).toEqual([]);
      expect(await recordingCount(api, key)).toBe(before);
    });
  }

  it('accepts a public https host', async () => {
    const before = await recordingCount(api, key);
    await startRecording(api.url, key, { meetingUrl: 'https://meet.jit.si/WeeklySync' });
    expect(await recordingCount(api, key)).toBe(before + 1);
  });
});
