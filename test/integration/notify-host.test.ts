import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { PresignedLinkIssuer } from '../../lambdas/links/presigned-link-issuer.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { notifyHost } from '../../lambdas/workflow/notify-host.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/env.js';
import { bucketName, documents, tableName } from '../support/aws.js';
import { uploadedRecording } from '../support/recordings.js';
import { seedUploaded } from '../support/seed-recordings.js';
import { sentEmails, waitForEmail } from '../support/ses-store.js';

const SEVEN_DAYS = 604_800;
let store: DynamoRecordingStore;
let links: PresignedLinkIssuer;
const settings = { senderEmail: 'recordings@example.com', linkTtlSeconds: SEVEN_DAYS };

beforeAll(() => {
  store = new DynamoRecordingStore(documents, tableName());
  links = new PresignedLinkIssuer(bucketName(), async () => LOCAL_CREDENTIALS, true);
});

describe('notifyHost with SES (aws-ses-v2-local)', () => {
  it('emails the host once with a 7-day link that downloads the file', async () => {
    const recording = await seedUploaded(store);
    const sesClient = new SESv2Client({});
    const sentAt = new Date();
    const updated = await notifyHost(
      { store, ses: sesClient, links, settings, now: () => sentAt },
      recording.id,
    );
    expect(updated.email).toEqual({
      to: recording.host.email,
      sentAt: sentAt.toISOString(),
      linkExpiresAt: new Date(sentAt.getTime() + SEVEN_DAYS * 1000).toISOString(),
    });

    const email = await waitForEmail((message) => message.destination.to.includes(recording.host.email));
    expect(email.subject).toBe('Your recording "Weekly sync" is ready');
    expect(email.from).toBe('recordings@example.com');
    const url = /https?:\/\/\S+/.exec(email.body.text ?? '')?.[0];
    expect(url).toBeDefined();
    const signed = new URL(url!);
    expect(signed.searchParams.get('X-Amz-Expires')).toBe(String(SEVEN_DAYS));
    expect(signed.searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\//);
    expect(signed.searchParams.get('X-Amz-Security-Token')).toBeNull();
    const download = await fetch(url!);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('the video');

    await notifyHost({ store, ses: sesClient, links, settings }, recording.id);
    expect(await sentEmails({ to: recording.host.email })).toHaveLength(1);
  });

  it('classifies SES throttling, outages and rejections for the workflow to retry or record', async () => {
    const recording = await seedUploaded(store);
    const ses = mockClient(SESv2Client);
    try {
      const cases: Array<[Error, string]> = [
        [Object.assign(new Error('slow'), { name: 'TooManyRequestsException' }), 'EmailThrottled'],
        [
          Object.assign(new Error('down'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }),
          'EmailTransient',
        ],
        [
          Object.assign(new Error('slow down'), { name: 'SomethingNew', $metadata: { httpStatusCode: 429 } }),
          'EmailThrottled',
        ],
        [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'EmailTransient'],
        [
          Object.assign(new Error('bad'), { name: 'MessageRejected', $metadata: { httpStatusCode: 400 } }),
          'EmailRejected',
        ],
      ];
      for (const [error, name] of cases) {
        ses.on(SendEmailCommand).rejects(error);
        await expect(
          notifyHost({ store, ses: new SESv2Client({}), links, settings }, recording.id),
        ).rejects.toMatchObject({ name });
      }
      expect((await store.get(recording.id))?.email).toBeNull();
    } finally {
      ses.restore();
    }
  });

  it('refuses to email about a recording that is not UPLOADED', async () => {
    const recording = uploadedRecording({
      id: 'rec_01JDX8M8Y1T5Q6N0W2Z3C4VZZZ',
      meetingId: 'not-uploaded',
      status: 'INVOKED',
    });
    await store.create(recording);
    await expect(
      notifyHost({ store, ses: new SESv2Client({}), links, settings }, recording.id),
    ).rejects.toMatchObject({
      name: 'NotUploaded',
    });
  });

  it("caps the emailed link at the recording's expiresAt when the retention ends sooner", async () => {
    const sentAt = new Date();
    const expiresAt = new Date(sentAt.getTime() + 86_400_000).toISOString();
    const recording = await seedUploaded(store, { expiresAt });
    const updated = await notifyHost(
      { store, ses: new SESv2Client({}), links, settings, now: () => sentAt },
      recording.id,
    );
    expect(updated.email?.linkExpiresAt).toBe(new Date(sentAt.getTime() + 86_400_000).toISOString());
    const email = await waitForEmail((message) => message.destination.to.includes(recording.host.email));
    const url = new URL(/https?:\/\/\S+/.exec(email.body.text ?? '')![0]);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('86400');
  });

  it('sends no email about a recording whose retention has ended', async () => {
    const recording = await seedUploaded(store, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    await expect(
      notifyHost({ store, ses: new SESv2Client({}), links, settings }, recording.id),
    ).rejects.toMatchObject({ name: 'RecordingExpired' });
    expect(await sentEmails({ to: recording.host.email })).toHaveLength(0);
    expect((await store.get(recording.id))?.email).toBeNull();
  });
});
