import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Recording } from '../domain/recording.js';
import { linkReminderEmail } from '../email/link-reminder-email.js';
import type { LinkIssuer } from '../recordings/recording-service.js';
import type { RecordingStore } from '../store/recording-store.js';
import { type HostMailSettings, sendToHost } from './host-mail.js';
import { StepError } from './workflow-handler.js';

/** The shortest link worth sending in a reminder: less than this and the host could not use it. */
const MIN_REMINDER_LINK_SECONDS = 60;

/**
 * When the reminder is due for a link that expires at `linkExpiresAt`: `beforeSeconds` earlier, or none
 * when reminders are off (0) or the link lives no longer than that.
 */
export function reminderDueAt(
  linkExpiresAt: string,
  sentAt: string,
  beforeSeconds: number,
): string | undefined {
  if (beforeSeconds <= 0) return undefined;
  const due = Date.parse(linkExpiresAt) - beforeSeconds * 1000;
  return due > Date.parse(sentAt) ? new Date(due).toISOString() : undefined;
}

export type ReminderOutcome = 'sent' | 'already_sent' | 'downloaded' | 'not_uploaded' | 'link_expired';

/**
 * Reminds the host, once, that the emailed link is about to stop working, with a link that works until
 * the same moment. Nobody is reminded of a recording that is deleted or expired, whose link already
 * expired, or whose file the emailed link already downloaded.
 */
export async function remindHost(
  deps: {
    store: RecordingStore;
    ses: SESv2Client;
    links: LinkIssuer;
    settings: HostMailSettings;
    now?: () => Date;
  },
  recordingId: string,
): Promise<ReminderOutcome> {
  const recording = await deps.store.get(recordingId);
  if (!recording) throw new StepError('RecordingMissing', `No recording ${recordingId}`);
  const skipped = skipReason(recording, deps.now?.() ?? new Date());
  if (skipped) return skipped;
  const now = deps.now?.() ?? new Date();
  const linkExpiresAt = recording.email!.linkExpiresAt;
  const seconds = Math.floor((Date.parse(linkExpiresAt) - now.getTime()) / 1000);
  const link = await deps.links.issue(recording, seconds, now);
  await sendToHost(deps.ses, deps.settings, recording, linkReminderEmail(recording, link));
  await deps.store.update(recording.id, { reminderSentAt: now.toISOString() }, ['UPLOADED']);
  return 'sent';
}

function skipReason(recording: Recording, now: Date): ReminderOutcome | undefined {
  if (recording.status !== 'UPLOADED' || !recording.email) return 'not_uploaded';
  if (recording.reminderSentAt) return 'already_sent';
  if (recording.downloadedAt) return 'downloaded';
  const left = Date.parse(recording.email.linkExpiresAt) - now.getTime();
  if (left < MIN_REMINDER_LINK_SECONDS * 1000 || Date.parse(recording.expiresAt) <= now.getTime()) {
    return 'link_expired';
  }
  return undefined;
}
