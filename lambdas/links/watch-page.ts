import type { Recording } from '../domain/recording.js';
import {
  escapeHtml,
  humanDuration,
  humanSize,
  humanTime,
  PARTIAL_NOTE,
} from '../presentation/human-format.js';

/** The query that makes a link answer with the file itself: the player's and the download button's target. */
export const DOWNLOAD_QUERY = 'download';

/** Whether a request for a link is a browser opening it (the watch page) rather than a download. */
export function wantsWatchPage(
  accept: string | undefined,
  query: Record<string, string | undefined>,
): boolean {
  if (query[DOWNLOAD_QUERY] !== undefined) return false;
  return (accept ?? '').split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === 'text/html' && !parameters.some((parameter) => /^q=0(\.0*)?$/.test(parameter));
  });
}

const STYLE = `
:root{color-scheme:light dark;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}
body{margin:0;background:Canvas;color:CanvasText}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:1.4rem;margin:8px 0;overflow-wrap:anywhere}
.facts{margin:0 0 12px;color:GrayText}
video{display:block;width:100%;max-height:70vh;background:#000;border-radius:8px}
.partial{padding:12px;border-left:4px solid #f0a020;background:rgba(240,160,32,.12)}
.download{display:inline-block;margin:16px 0 8px;padding:12px 20px;border-radius:6px;background:#1a73e8;color:#fff;font-weight:600;text-decoration:none}
.expiry,.hint{font-size:.9rem;color:GrayText}
`;

export interface WatchPage {
  readonly html: string;
  /** The Content-Security-Policy: no script at all; media only from here and the file's origin. */
  readonly contentSecurityPolicy: string;
}

/**
 * The page a host's browser gets for an emailed link: the meeting's facts, a player and a download
 * button that both point back at the link with `?download=1` (each request gets a fresh short-lived
 * file URL, so seeking works for as long as the link does), and when the link stops working.
 */
export function watchPage(recording: Recording, linkExpiresAt: string, fileOrigin: string): WatchPage {
  const title = recording.meetingTitle?.trim() || recording.meetingId;
  const file = recording.file;
  const size = humanSize(file?.sizeBytes ?? 0);
  const facts = [
    humanTime(recording.startedAt ?? recording.createdAt),
    humanDuration(file?.durationSeconds ?? recording.durationSeconds ?? 0),
    size,
  ];
  const source = `?${DOWNLOAD_QUERY}=1`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1 id="title">${escapeHtml(title)}</h1>
<p class="facts" id="facts">${facts.map(escapeHtml).join(' · ')}</p>
${recording.partial ? `<p class="partial" id="partial">${escapeHtml(PARTIAL_NOTE)}</p>` : ''}
<video id="player" controls playsinline preload="metadata" src="${source}"></video>
${recording.format === 'mkv' ? '<p class="hint">Some browsers cannot play MKV files; download it to watch.</p>' : ''}
<a class="download" id="download" href="${source}" download>Download (${escapeHtml(size)})</a>
<p class="expiry" id="expiry">This link works until ${escapeHtml(humanTime(linkExpiresAt))}. After that, ask the meeting app for a new one.</p>
</main>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `media-src 'self' ${fileOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
