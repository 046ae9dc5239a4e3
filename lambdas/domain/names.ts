import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';

export function newRecordingId(): string {
  return `rec_${ulid()}`;
}

export function newEventId(): string {
  return `evt_${ulid()}`;
}

/** A random URL-safe token (256 bits) for emailed links in `redirect` mode. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

// Characters that are unsafe in a file name on Windows, macOS or Linux, plus control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we strip
const UNSAFE_FILE_NAME_CHARS = /[\u0000-\u001f\u007f<>:"/\\|?*]+/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;
const MAX_BASE_NAME_LENGTH = 120;

/**
 * `<title or meetingId>-<start ISO time>.<ext>`, safe on every OS: no path separators, no control
 * characters, no leading dots, no Windows reserved names, bounded length (by UTF-16 code points,
 * never splitting a surrogate pair).
 */
export function recordingFileName(input: {
  meetingTitle: string | null;
  meetingId: string;
  startedAt: string;
  format: string;
}): string {
  const cleaned = (input.meetingTitle ?? '')
    .normalize('NFC')
    .replace(UNSAFE_FILE_NAME_CHARS, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  let base = cleaned.length > 0 && !WINDOWS_RESERVED.test(cleaned) ? cleaned : input.meetingId;
  base = base.replace(/^\.+/, '') || 'recording';
  base = Array.from(base).slice(0, MAX_BASE_NAME_LENGTH).join('');
  const stamp = input.startedAt.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  return `${base}-${stamp}.${input.format}`;
}

/** The S3 prefix that holds everything of one recording. The ids are validated upstream to [A-Za-z0-9._:-]. */
export function recordingPrefix(clientId: string, meetingId: string, recordingId: string): string {
  return `recordings/${encodeKeySegment(clientId)}/${encodeKeySegment(meetingId)}/${recordingId}/`;
}

/** A key segment never contains '/' nor is '.' or '..'. */
function encodeKeySegment(segment: string): string {
  const safe = segment.replace(/[^A-Za-z0-9._:-]/g, '_');
  return safe === '.' || safe === '..' ? safe.replace(/\./g, '_') : safe;
}
