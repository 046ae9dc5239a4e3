import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadLink } from '../../local/demo/ses-mail.js';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, startBody, startTestLocalMode, waitForEmailTo, waitForRecording } from './local-mode.js';

let local: LocalMode;
beforeAll(async () => {
  local = await startTestLocalMode({ settings: { LINK_MODE: 'redirect' } });
});
afterAll(() => local?.stop());

describe('emailed links in redirect mode', () => {
  it('download the file until the recording is deleted, then answer 410', async () => {
    const client = clientFor(local);
    const body = startBody(local, { maxDurationSeconds: 10 });
    const { id } = (await client.request('POST', '/v1/recordings', body)).body as { id: string };
    const uploaded = await waitForRecording(client, id, (recording) => recording.status === 'UPLOADED');
    expect(uploaded.stopReason).toBe('max_duration');

    const email = await waitForEmailTo(local, body.host.email);
    const link = downloadLink(email)!;
    expect(link.startsWith(`${local.endpoints.api}/v1/links/`)).toBe(true);

    const redirect = await fetch(link, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const file = await fetch(redirect.headers.get('location')!);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).length).toBe(
      (uploaded.file as { sizeBytes: number }).sizeBytes,
    );

    expect((await client.request('DELETE', `/v1/recordings/${id}`)).status).toBe(204);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(410);
    expect((await client.request('GET', `/v1/recordings/${id}`)).body.status).toBe('DELETED');
  });
});
