import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../support/api-keys.js';
import { uniqueClientId } from '../support/table.js';
import { type ApiUnderTest, startApiUnderTest } from './support/api-under-test.js';
import { errorShapeProblem } from './support/contract.js';
import { closeConnections, send } from './support/http-client.js';
import { jsonRequest, recordingIn, store } from './support/world.js';

// Redirect link mode: links point at GET /v1/links/{token} of this API, so a delete can revoke them at once.
let api: ApiUnderTest;
let key: string;

beforeAll(async () => {
  api = await startApiUnderTest({ LINK_MODE: 'redirect' });
  // The link issuer reads it on first use, after the server is listening.
  process.env.PUBLIC_API_URL = api.url;
  key = (await createApiKey({ clientId: uniqueClientId('redirect-race') })).key;
});

afterAll(async () => {
  closeConnections();
  await api.stop();
});

const follow = (url: string) => {
  const link = new URL(url);
  expect(link.origin).toBe(api.url);
  return send(api.url, { method: 'GET', target: link.pathname });
};

describe('delete racing link creation, redirect links', () => {
  it('a link issued before the delete redirects until the delete, then answers 410', async () => {
    const id = await recordingIn(api.url, key, 'UPLOADED');
    const link = await send(api.url, jsonRequest('POST', `/v1/recordings/${id}/links`, key, {}));
    expect(link.status).toBe(201);
    const url = JSON.parse(link.body.toString()).url as string;
    expect((await follow(url)).status).toBe(302);
    expect((await send(api.url, jsonRequest('DELETE', `/v1/recordings/${id}`, key))).status).toBe(204);
    const after = await follow(url);
    expect(after.status).toBe(410);
    expect(errorShapeProblem(after.status, after.body, { linkRoute: true })).toBeNull();
  });

  it('each racing pair ends with the link refused (409) or issued and dead (410), and the recording DELETED', async () => {
    const outcomes = { linkFirst: 0, deleteFirst: 0 };
    for (let pair = 0; pair < 10; pair++) {
      const id = await recordingIn(api.url, key, 'UPLOADED');
      // Staggered by 0-45 ms so that both orders happen.
      const [link, deleted] = await Promise.all([
        sleep(pair * 5).then(() => send(api.url, jsonRequest('POST', `/v1/recordings/${id}/links`, key, {}))),
        send(api.url, jsonRequest('DELETE', `/v1/recordings/${id}`, key)),
      ]);
      expect(deleted.status).toBe(204);
      expect([201, 409]).toContain(link.status);
      if (link.status === 201) {
        outcomes.linkFirst++;
        const followed = await follow(JSON.parse(link.body.toString()).url);
        expect(followed.status, 'a link still redirects after the delete').toBe(410);
      } else {
        outcomes.deleteFirst++;
      }
      expect((await store().get(id))?.status).toBe('DELETED');
    }
    console.log('redirect links, delete racing link creation, outcomes of 10 pairs:', outcomes);
  });
});
