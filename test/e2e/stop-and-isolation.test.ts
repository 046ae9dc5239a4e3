import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingsClient } from '../../client/src/index.js';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, startBody, startTestLocalMode, waitForRecording } from './local-mode.js';

let local: LocalMode;
let alice: RecordingsClient;
let bob: RecordingsClient;

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
    const started = await alice.POST('/v1/recordings', { body });
    expect(started.response.status).toBe(202);
    const { id } = started.data!;
    await waitForRecording(alice, id, (recording) => recording.status === 'RECORDING');

    expect((await bob.GET('/v1/recordings/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await bob.POST('/v1/recordings/{id}/stop', { params: { path: { id } } })).response.status).toBe(
      404,
    );
    const bobsList = await bob.GET('/v1/recordings');
    expect(bobsList.data!.items.map((item) => item.id)).not.toContain(id);
    const alicesList = await alice.GET('/v1/recordings', {
      params: { query: { meetingId: body.meetingId } },
    });
    expect(alicesList.data!.items.map((item) => item.id)).toEqual([id]);

    const byGuest = await alice.POST('/v1/recordings/{id}/stop', {
      params: { path: { id } },
      body: { requestedBy: { email: 'guest@example.com' } },
    });
    expect(byGuest.response.status).toBe(403);
    expect(byGuest.error).toMatchObject({ error: { code: 'forbidden' } });
    expect((await alice.GET('/v1/recordings/{id}', { params: { path: { id } } })).data?.status).toBe(
      'RECORDING',
    );

    const byHost = await alice.POST('/v1/recordings/{id}/stop', {
      params: { path: { id } },
      body: { requestedBy: { userId: 'u-42' } },
    });
    expect(byHost.response.status).toBe(202);
    const again = await alice.POST('/v1/recordings/{id}/stop', {
      params: { path: { id } },
      body: { requestedBy: { userId: 'u-42' } },
    });
    expect(again.response.status).toBe(200);

    const uploaded = await waitForRecording(
      alice,
      id,
      (recording) => !['RECORDING', 'UPLOADING'].includes(recording.status),
    );
    expect(uploaded).toMatchObject({ status: 'UPLOADED', stopReason: 'requested', partial: false });
    expect((await bob.DELETE('/v1/recordings/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await alice.GET('/v1/recordings/{id}', { params: { path: { id } } })).data?.status).toBe(
      'UPLOADED',
    );
  });
});
