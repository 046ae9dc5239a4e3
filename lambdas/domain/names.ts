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

// Characters that are unsafe in a file name on Windows, macOS or Linux, plus every control character.
const UNSAFE_FILE_NAME_CHARS = /[\p{Cc}\u2028\u2029<>:"/\\|?*]+/gu;
// Windows opens the device for these names whatever follows the first dot: CON.txt is CON.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
/** Bytes of UTF-8 for the title part: with the stamp and extension, well under the 255 of ext4 and APFS. */
const MAX_BASE_NAME_BYTES = 180;

/**
 * `<title or meetingId>-<start ISO time>.<ext>`, safe on every OS: no path separators, no control
 * characters, no leading dots, no Windows device names, at most 180 bytes of UTF-8 for the title
 * (never splitting a character).
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
  base = truncateUtf8(base, MAX_BASE_NAME_BYTES).trimEnd();
  const stamp = input.startedAt.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  return `${base}-${stamp}.${input.format}`;
}

/** The longest prefix of whole characters (code points) that fits in `maxBytes` of UTF-8. */
function truncateUtf8(value: string, maxBytes: number): string {
  let bytes = 0;
  let result = '';
  for (const character of value) {
    bytes += Buffer.byteLength(character, 'utf8');
    if (bytes > maxBytes) break;
    result += character;
  }
  return result;
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
