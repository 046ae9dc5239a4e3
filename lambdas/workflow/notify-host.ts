import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { isThrottlingAwsError, isTransientAwsError } from '../aws-errors.js';
import type { Recording } from '../domain/recording.js';
import { recordingReadyEmail } from '../email/recording-ready-email.js';
import { linkLifetime } from '../links/link-lifetime.js';
import type { LinkIssuer } from '../recordings/recording-service.js';
import type { RecordingStore } from '../store/recording-store.js';
import { StepError } from './workflow-handler.js';

export interface NotifySettings {
  readonly senderEmail: string;
  readonly configurationSet?: string;
  readonly linkTtlSeconds: number;
}

function classifySesError(error: unknown): StepError {
  const name = (error as { name?: string }).name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  const message = `${name}: ${(error as Error).message ?? ''}`.slice(0, 500);
  if (isThrottlingAwsError(error)) return new StepError('EmailThrottled', message);
  // No HTTP status: SES never answered (credentials, network), so nothing says the message is bad.
  if (isTransientAwsError(error) || status === 0) return new StepError('EmailTransient', message);
  return new StepError('EmailRejected', message);
}

/**
 * Emails the host the download link, once per recording: a recording that already carries `email` is
 * not emailed again, whatever retried. The facts are recorded right after SES accepts the message.
 */
export async function notifyHost(
  deps: {
    store: RecordingStore;
    ses: SESv2Client;
    links: LinkIssuer;
    settings: NotifySettings;
    now?: () => Date;
  },
  recordingId: string,
): Promise<Recording> {
  const recording = await deps.store.get(recordingId);
  if (!recording) throw new StepError('RecordingMissing', `No recording ${recordingId}`);
  if (recording.email) return recording;
  if (recording.status !== 'UPLOADED')
    throw new StepError('NotUploaded', `Recording is ${recording.status}.`);

  const now = deps.now?.() ?? new Date();
  // Synth keeps the retention a day past the link; local mode's RETENTION_DAYS is the user's to choose.
  const lifetime = linkLifetime(recording, deps.settings.linkTtlSeconds, now);
  if (!lifetime) throw new StepError('RecordingExpired', `Recording expired at ${recording.expiresAt}.`);
  const link = await deps.links.issue(recording, lifetime.seconds, now);
  const email = recordingReadyEmail(recording, link);
  try {
    await deps.ses.send(
      new SendEmailCommand({
        FromEmailAddress: deps.settings.senderEmail,
        Destination: { ToAddresses: [recording.host.email] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        },
        ...(deps.settings.configurationSet ? { ConfigurationSetName: deps.settings.configurationSet } : {}),
        EmailTags: [{ Name: 'recordingId', Value: recording.id.replace(/[^A-Za-z0-9_-]/g, '_') }],
      }),
    );
  } catch (error) {
    throw classifySesError(error);
  }
  return deps.store.update(
    recording.id,
    {
      email: { to: recording.host.email, sentAt: now.toISOString(), linkExpiresAt: link.expiresAt },
      error: null,
    },
    ['UPLOADED'],
  );
}
