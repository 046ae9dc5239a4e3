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

/** `not_uploaded`: deleted, expired or never emailed; `link_expired`: the link or the file's retention is (nearly) over. */
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
  const now = deps.now?.() ?? new Date();
  const skipped = skipReason(recording, now);
  if (skipped) return skipped;
  // Claimed before it is sent: a retried step, or a twin execution, finds it taken and sends nothing.
  const sentAt = now.toISOString();
  if (!(await deps.store.claimReminder(recording.id, sentAt))) {
    const current = await deps.store.get(recording.id);
    return (current && skipReason(current, now)) ?? 'already_sent';
  }
  try {
    const seconds = Math.floor((Date.parse(recording.email!.linkExpiresAt) - now.getTime()) / 1000);
    const link = await deps.links.issue(recording, seconds, now);
    await sendToHost(deps.ses, deps.settings, recording, linkReminderEmail(recording, link));
  } catch (error) {
    await deps.store.releaseReminder(recording.id, sentAt);
    throw error;
  }
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
