import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../support/api-keys.js';
import { uniqueClientId } from '../support/table.js';
import { type ApiUnderTest, startApiUnderTest } from './support/api-under-test.js';
import { ALLOW_LIST_BYPASSES, HOSTILE_MEETING_URLS } from './support/hostile-urls.js';
import { closeConnections } from './support/http-client.js';
import { recordingCount, unrefusedUrls } from './support/meeting-url-checks.js';
import { startRecording } from './support/world.js';

// A deployment with an allow-list, as devops configure one: ALLOWED_MEETING_ORIGINS=meet.example.com,*.example.org.
let api: ApiUnderTest;
let key: string;
let clientId: string;

beforeAll(async () => {
  api = await startApiUnderTest({ ALLOWED_MEETING_ORIGINS: 'meet.example.com,*.example.org' });
  clientId = uniqueClientId('urls');
  key = (await createApiKey({ clientId })).key;
});

afterAll(async () => {
  closeConnections();
  await api.stop();
});

describe('meeting URLs on a deployment with an allow-list', () => {
  for (const [group, urls] of Object.entries(HOSTILE_MEETING_URLS)) {
    it(`refuses ${group} with 400 and stores nothing`, async () => {
      const before = await recordingCount(api, key);
      expect(await unrefusedUrls(api, key, clientId, urls)).toEqual([]);
      expect(await recordingCount(api, key)).toBe(before);
    });
  }

  it('refuses hosts that only look like allowed ones', async () => {
    const before = await recordingCount(api, key);
    expect(await unrefusedUrls(api, key, clientId, ALLOW_LIST_BYPASSES)).toEqual([]);
    expect(await recordingCount(api, key)).toBe(before);
  });

  it('accepts the allowed host and its allowed subdomains', async () => {
    const before = await recordingCount(api, key);
    await startRecording(api.url, key, { meetingUrl: 'https://meet.example.com/r/1?bot=1' });
    await startRecording(api.url, key, { meetingUrl: 'https://team.example.org/r/2' });
    expect(await recordingCount(api, key)).toBe(before + 2);
  });
});
