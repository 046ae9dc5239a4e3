import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Recording } from '../domain/recording.js';
import { recordingReadyEmail } from '../email/recording-ready-email.js';
import { linkLifetime } from '../links/link-lifetime.js';
import type { LinkIssuer } from '../recordings/recording-service.js';
import type { RecordingStore } from '../store/recording-store.js';
import { type HostMailSettings, sendToHost } from './host-mail.js';
import { StepError } from './workflow-handler.js';

export interface NotifySettings extends HostMailSettings {
  readonly linkTtlSeconds: number;
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
  await sendToHost(deps.ses, deps.settings, recording, email);
  return deps.store.update(
    recording.id,
    {
      email: { to: recording.host.email, sentAt: now.toISOString(), linkExpiresAt: link.expiresAt },
      error: null,
    },
    ['UPLOADED'],
  );
}
