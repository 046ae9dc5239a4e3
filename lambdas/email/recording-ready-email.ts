import type { Recording } from '../domain/recording.js';
import {
  escapeHtml,
  humanDuration,
  humanSize,
  humanTime,
  PARTIAL_NOTE,
} from '../presentation/human-format.js';

export interface RecordingReadyEmail {
  subject: string;
  text: string;
  html: string;
}

// Every control character (C0, DEL and C1 such as NEL) and the Unicode line separators.
const HEADER_UNSAFE = /[\p{Cc}\u2028\u2029]+/gu;

/** One line, no control characters: nothing the user typed can start a new header. */
export function headerSafe(value: string): string {
  return value.replace(HEADER_UNSAFE, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The email that tells the host their recording is ready: a plain-text part that reads well on its own
 * and an HTML part with the same facts. Every user-supplied string is escaped, and the subject is one line.
 */
export function recordingReadyEmail(
  recording: Recording,
  link: { url: string; expiresAt: string },
): RecordingReadyEmail {
  const title = headerSafe(recording.meetingTitle ?? '') || recording.meetingId;
  const subject = `Your recording "${title}" is ready${recording.partial ? ' (partial)' : ''}`;
  const greetingName = headerSafe(recording.host.name ?? '');
  const facts: Array<[string, string]> = [
    ['Meeting', title],
    ['Started', humanTime(recording.startedAt ?? recording.createdAt)],
    ['Duration', humanDuration(recording.file?.durationSeconds ?? recording.durationSeconds ?? 0)],
    ['Size', humanSize(recording.file?.sizeBytes ?? 0)],
    ['File', recording.file?.name ?? ''],
  ];
  const expiry = humanTime(link.expiresAt);

  const text = [
    greetingName ? `Hello ${greetingName},` : 'Hello,',
    '',
    `Your recording of "${title}" is ready to download.`,
    ...(recording.partial ? ['', PARTIAL_NOTE] : []),
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    '',
    'Download it here:',
    link.url,
    '',
    `This link works until ${expiry}. After that, ask the meeting app for a new one.`,
    '',
  ].join('\n');

  const rows = facts
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:4px 16px 4px 0;color:#555;font-weight:normal">${escapeHtml(label)}</th><td style="padding:4px 0;word-break:break-word">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1d1f23">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0">
<tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background:#ffffff;border-radius:8px;padding:32px">
<tr><td>
<h1 style="font-size:20px;margin:0 0 16px">Your recording is ready</h1>
<p style="margin:0 0 16px">${greetingName ? `Hello ${escapeHtml(greetingName)},` : 'Hello,'}</p>
<p style="margin:0 0 16px">Your recording of <strong>${escapeHtml(title)}</strong> is ready to download.</p>
${recording.partial ? `<p id="partial" style="margin:0 0 16px;padding:12px;background:#fff4e5;border-left:4px solid #f0a020">${escapeHtml(PARTIAL_NOTE)}</p>` : ''}
<table role="presentation" cellpadding="0" cellspacing="0" style="margin:0 0 24px;font-size:14px">${rows}</table>
<p style="margin:0 0 24px"><a id="download" href="${escapeHtml(link.url)}" style="display:inline-block;background:#1a73e8;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">Download the recording</a></p>
<p style="margin:0;font-size:13px;color:#555">This link works until ${escapeHtml(expiry)}. After that, ask the meeting app for a new one.</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>`;
  return { subject, text, html };
}
