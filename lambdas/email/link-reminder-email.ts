import type { Recording } from '../domain/recording.js';
import { escapeHtml, humanTime } from '../presentation/human-format.js';
import { headerSafe, type RecordingReadyEmail } from './recording-ready-email.js';

/**
 * The reminder a day before the emailed link stops working: the same link's facts, a link valid until the
 * same moment, and how long the file itself is kept (the meeting app can make a new link until then).
 */
export function linkReminderEmail(
  recording: Recording,
  link: { url: string; expiresAt: string },
): RecordingReadyEmail {
  const title = headerSafe(recording.meetingTitle ?? '') || recording.meetingId;
  const subject = `Reminder: the link to your recording "${title}" expires ${humanTime(link.expiresAt)}`;
  const greetingName = headerSafe(recording.host.name ?? '');
  const greeting = greetingName ? `Hello ${greetingName},` : 'Hello,';
  const kept =
    Date.parse(recording.expiresAt) > Date.parse(link.expiresAt)
      ? `The file itself is kept until ${humanTime(recording.expiresAt)}: until then, the meeting app can give you a new link.`
      : `The file itself is deleted at the same time.`;
  const text = [
    greeting,
    '',
    `The download link to your recording of "${title}" stops working ${humanTime(link.expiresAt)}.`,
    'If you have not downloaded it yet, do it here:',
    link.url,
    '',
    kept,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1d1f23">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<h1 style="font-size:20px;margin:0 0 16px">Your recording link expires soon</h1>
<p style="margin:0 0 16px">${escapeHtml(greeting)}</p>
<p style="margin:0 0 16px">The download link to your recording of <strong>${escapeHtml(title)}</strong> stops working <strong>${escapeHtml(humanTime(link.expiresAt))}</strong>. If you have not downloaded it yet, do it now.</p>
<p style="margin:0 0 24px"><a id="download" href="${escapeHtml(link.url)}" style="display:inline-block;background:#1a73e8;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">Download the recording</a></p>
<p style="margin:0;font-size:13px;color:#555">${escapeHtml(kept)}</p>
</div>
</body>
</html>`;
  return { subject, text, html };
}
