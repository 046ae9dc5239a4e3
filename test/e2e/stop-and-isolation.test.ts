import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../local/demo/api-client.js';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, startBody, startTestLocalMode, waitForRecording } from './local-mode.js';

let local: LocalMode;
let alice: ApiClient;
let bob: ApiClient;

beforeAll(async () => {
  local = await startTestLocalMode({
    apiKeys: [
      { clientId: 'alice-app', key: 'mrk_e2e_alice' },
      { clientId: 'bob-app', key: 'mrk_e2e_bob' },
    ],
  });
  alice = clientFor(local, 0);
  bob = clientFor(local, 1);
});
afterAll(() => local?.stop());

describe('a recording seen by its host, another user and another client', () => {
  it('keeps clients apart, lets only the host stop, and finishes after the host does', async () => {
    const body = startBody(local);
    const started = await alice.request('POST', '/v1/recordings', body);
    expect(started.status).toBe(202);
    const { id } = started.body as { id: string };
    await waitForRecording(alice, id, (recording) => recording.status === 'RECORDING');

    expect((await bob.request('GET', `/v1/recordings/${id}`)).status).toBe(404);
    expect((await bob.request('POST', `/v1/recordings/${id}/stop`)).status).toBe(404);
    const bobsList = await bob.request('GET', '/v1/recordings');
    expect((bobsList.body as { items: { id: string }[] }).items.map((item) => item.id)).not.toContain(id);
    const alicesList = await alice.request('GET', `/v1/recordings?meetingId=${body.meetingId}`);
    expect((alicesList.body as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([id]);

    const byGuest = await alice.request('POST', `/v1/recordings/${id}/stop`, {
      requestedBy: { email: 'guest@example.com' },
    });
    expect(byGuest.status).toBe(403);
    expect(byGuest.body.error.code).toBe('forbidden');
    expect((await alice.request('GET', `/v1/recordings/${id}`)).body.status).toBe('RECORDING');

    const byHost = await alice.request('POST', `/v1/recordings/${id}/stop`, {
      requestedBy: { userId: 'u-42' },
    });
    expect(byHost.status).toBe(202);
    const again = await alice.request('POST', `/v1/recordings/${id}/stop`, {
      requestedBy: { userId: 'u-42' },
    });
    expect(again.status).toBe(200);

    const uploaded = await waitForRecording(
      alice,
      id,
      (recording) => !['RECORDING', 'UPLOADING'].includes(recording.status),
    );
    expect(uploaded).toMatchObject({ status: 'UPLOADED', stopReason: 'requested', partial: false });
    expect((await bob.request('DELETE', `/v1/recordings/${id}`)).status).toBe(404);
    expect((await alice.request('GET', `/v1/recordings/${id}`)).body.status).toBe('UPLOADED');
  });
});
