import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { PresignedLinkIssuer } from '../../lambdas/links/presigned-link-issuer.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { reminderDueAt, remindHost } from '../../lambdas/workflow/remind-host.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/env.js';
import { bucketName, documents, tableName } from '../support/aws.js';
import { seedUploaded } from '../support/seed-recordings.js';
import { sentEmails, waitForEmail } from '../support/ses-store.js';

const HOUR = 3_600_000;
let store: DynamoRecordingStore;
let links: PresignedLinkIssuer;
const ses = new SESv2Client({});
const settings = { senderEmail: 'recordings@example.com' };

beforeAll(() => {
  store = new DynamoRecordingStore(documents, tableName());
  links = new PresignedLinkIssuer(bucketName(), async () => LOCAL_CREDENTIALS, true);
});

/** An UPLOADED recording emailed an hour ago with a link that expires in `linkHours`. */
async function seedEmailed(linkHours: number, overrides: Parameters<typeof seedUploaded>[1] = {}) {
  const recording = await seedUploaded(store, overrides, {
    email: {
      to: 'host@example.com',
      sentAt: new Date(Date.now() - HOUR).toISOString(),
      linkExpiresAt: new Date(Date.now() + linkHours * HOUR).toISOString(),
    },
  });
  return (await store.get(recording.id))!;
}

describe('reminderDueAt', () => {
  it('is the given time before the link expires, and none when off or before the email', () => {
    expect(reminderDueAt('2026-11-30T10:00:00.000Z', '2026-11-23T10:00:00.000Z', 86_400)).toBe(
      '2026-11-29T10:00:00.000Z',
    );
    expect(reminderDueAt('2026-11-30T10:00:00.000Z', '2026-11-23T10:00:00.000Z', 0)).toBeUndefined();
    expect(reminderDueAt('2026-11-24T10:00:00.000Z', '2026-11-23T10:00:00.000Z', 86_400)).toBeUndefined();
  });
});

describe('remindHost with SES (aws-ses-v2-local)', () => {
  it('reminds once, with a link that works until the emailed one stops, and says how long the file is kept', async () => {
    const recording = await seedEmailed(23);
    expect(await remindHost({ store, ses, links, settings }, recording.id)).toBe('sent');
    const email = await waitForEmail((message) => message.destination.to.includes(recording.host.email));
    expect(email.subject).toMatch(/^Reminder: the link to your recording "Weekly sync" expires \d+ \w+ 2026/);
    expect(email.body.text).toContain('The file itself is kept until');
    const url = new URL(/https?:\/\/\S+/.exec(email.body.text ?? '')![0]);
    const expires = Number(url.searchParams.get('X-Amz-Expires'));
    const linkLeft = (Date.parse(recording.email!.linkExpiresAt) - Date.now()) / 1000;
    expect(Math.abs(expires - linkLeft)).toBeLessThan(30);
    expect(await (await fetch(url)).text()).toBe('the video');
    expect((await store.get(recording.id))?.reminderSentAt).toEqual(expect.any(String));

    expect(await remindHost({ store, ses, links, settings }, recording.id)).toBe('already_sent');
    expect(await sentEmails({ to: recording.host.email })).toHaveLength(1);
  });

  it('reminds nobody of a deleted or expired recording, an expired link or a file the link downloaded', async () => {
    const deleted = await seedEmailed(23);
    await store.transition(deleted.id, 'DELETED');
    const downloaded = await seedEmailed(23);
    await store.update(downloaded.id, { downloadedAt: new Date().toISOString() }, ['UPLOADED']);
    const linkGone = await seedEmailed(0);
    const retentionOver = await seedEmailed(23, { expiresAt: new Date(Date.now() - 1000).toISOString() });

    expect(await remindHost({ store, ses, links, settings }, deleted.id)).toBe('not_uploaded');
    expect(await remindHost({ store, ses, links, settings }, downloaded.id)).toBe('downloaded');
    expect(await remindHost({ store, ses, links, settings }, linkGone.id)).toBe('link_expired');
    expect(await remindHost({ store, ses, links, settings }, retentionOver.id)).toBe('link_expired');
    for (const recording of [deleted, downloaded, linkGone, retentionOver]) {
      expect(await sentEmails({ to: recording.host.email })).toHaveLength(0);
    }
  });

  it('claims the reminder before sending: a twin sends nothing, and a failed send frees the claim for the retry', async () => {
    const claimed = await seedEmailed(23);
    expect(await store.claimReminder(claimed.id, new Date().toISOString())).toBe(true);
    expect(await remindHost({ store, ses, links, settings }, claimed.id)).toBe('already_sent');
    expect(await sentEmails({ to: claimed.host.email })).toHaveLength(0);

    const failing = await seedEmailed(23);
    const refused = mockClient(SESv2Client)
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'ThrottlingException' }));
    try {
      await expect(
        remindHost({ store, ses: new SESv2Client({}), links, settings }, failing.id),
      ).rejects.toMatchObject({
        name: 'EmailThrottled',
      });
    } finally {
      refused.restore();
    }
    expect((await store.get(failing.id))?.reminderSentAt ?? null).toBeNull();
    expect(await remindHost({ store, ses: new SESv2Client({}), links, settings }, failing.id)).toBe('sent');
  });
});
