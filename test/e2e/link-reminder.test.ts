import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadLink } from '../../local/demo/ses-mail.js';
import { type LocalMode, STATE_MACHINE_ARN } from '../../local/local-mode.js';
import {
  clientFor,
  emailsTo,
  SCRIPTED_RECORDER,
  startBody,
  startTestLocalMode,
  waitForEmailTo,
  waitForRecording,
} from './local-mode.js';

/** Links of 120 s, reminded 90 s before they expire: 30 s after the email. */
const SETTINGS = { LINK_MODE: 'redirect', LINK_TTL_SECONDS: '120', LINK_REMINDER_SECONDS: '90' };
const executionArn = (name: string) =>
  `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;

let local: LocalMode;
let sfn: SFNClient;
beforeAll(async () => {
  local = await startTestLocalMode({ settings: SETTINGS, recorderCommand: SCRIPTED_RECORDER });
  sfn = new SFNClient({ endpoint: local.endpoints.sfn });
});
afterAll(async () => {
  sfn?.destroy();
  await local?.stop();
});

describe('the link reminder (shortened TTL in local mode)', () => {
  it('reminds the host who has not downloaded, with a working link, and nobody whose recording was downloaded or deleted', async () => {
    const client = clientFor(local);
    const recordings = await Promise.all(
      ['forgotten', 'downloaded', 'deleted'].map(async (name) => {
        const body = startBody(local, {
          meetingUrl: `${local.endpoints.demoMeeting}?script=ok`,
          meetingTitle: name,
        });
        const { data } = await client.POST('/v1/recordings', { body });
        const uploaded = await waitForRecording(
          client,
          data!.id,
          (recording) => recording.status === 'UPLOADED',
        );
        const email = await waitForEmailTo(local, body.host.email);
        return { id: uploaded.id, host: body.host.email, link: downloadLink(email)! };
      }),
    );
    const [forgotten, downloaded, deleted] = recordings as [
      (typeof recordings)[0],
      (typeof recordings)[0],
      (typeof recordings)[0],
    ];
    // A browser opening the watch page and its player's range requests are not a download; the button is.
    await fetch(downloaded.link, { headers: { accept: 'text/html' } });
    await fetch(`${downloaded.link}?download=1`, { headers: { range: 'bytes=0-' }, redirect: 'manual' });
    expect((await fetch(`${downloaded.link}?download=1`, { redirect: 'manual' })).status).toBe(302);
    expect(
      (await client.DELETE('/v1/recordings/{id}', { params: { path: { id: deleted.id } } })).response.status,
    ).toBe(204);

    const outcome = async (id: string) => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(id) }));
      return execution.status === 'SUCCEEDED'
        ? JSON.parse(execution.output ?? '{}').reminder?.outcome
        : undefined;
    };
    for (const [recording, expected] of [
      [forgotten, 'sent'],
      [downloaded, 'downloaded'],
      [deleted, 'not_uploaded'],
    ] as const) {
      await expect.poll(() => outcome(recording.id), { timeout: 90_000, interval: 500 }).toBe(expected);
    }

    const [, reminder] = await emailsTo(local, forgotten.host);
    expect(reminder?.subject).toMatch(/^Reminder: the link to your recording "forgotten" expires/);
    const link = downloadLink(reminder!)!;
    expect(link).not.toBe(forgotten.link);
    const redirect = await fetch(`${link}?download=1`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect((await fetch(redirect.headers.get('location')!)).status).toBe(200);
    expect(await emailsTo(local, downloaded.host)).toHaveLength(1);
    expect(await emailsTo(local, deleted.host)).toHaveLength(1);
  });
});
