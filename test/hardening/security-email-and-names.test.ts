import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFileName } from '../../lambdas/domain/names.js';
import { linkReminderEmail } from '../../lambdas/email/link-reminder-email.js';
import { recordingReadyEmail } from '../../lambdas/email/recording-ready-email.js';
import { attachmentDisposition } from '../../lambdas/links/content-disposition.js';
import { escapeHtml } from '../../lambdas/presentation/human-format.js';
import { createApiKey } from '../support/api-keys.js';
import { uploadedRecording } from '../support/recordings.js';
import { uniqueClientId } from '../support/table.js';
import { type ApiUnderTest, startApiUnderTest } from './support/api-under-test.js';
import { closeConnections } from './support/http-client.js';
import { startRecording, store } from './support/world.js';

const LINK = {
  url: 'https://recordings.example.com/file.mp4?X-Amz-Signature=abc&a=b',
  expiresAt: '2026-11-30T09:41:07.123Z',
};

const HEADER_INJECTIONS = [
  'Weekly\r\nBcc: victim@example.net',
  'Weekly\nContent-Type: text/html',
  'Weekly\rX-Injected: 1',
  'Weekly\u2028Bcc: victim@example.net',
  'Weekly\u2029Bcc: victim@example.net',
  'Weekly\u0085Bcc: victim@example.net',
  'Weekly\u000bBcc: victim@example.net',
  'Weekly\u000cBcc: victim@example.net',
  'Weekly\u0000Bcc: victim@example.net',
  '=?UTF-8?B?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm5ldA==?=',
];

const HTML_INJECTIONS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "'><a href='javascript:alert(1)'>x</a>",
  '</title><script>alert(1)</script>',
  '&lt;script&gt; already escaped',
  '<!-- comment --><style>*{display:none}</style>',
];

describe.each([
  ['the host email', recordingReadyEmail, 'Your recording "'],
  ['the link reminder', linkReminderEmail, 'Reminder: the link to your recording "'],
] as const)('%s', (_name, render, subjectStart) => {
  it('keeps the subject one line, whatever the title', () => {
    for (const title of HEADER_INJECTIONS) {
      const { subject } = render(uploadedRecording({ meetingTitle: title }), LINK);
      expect(subject, JSON.stringify(title)).not.toMatch(/[\r\n\u2028\u2029]/);
      expect(subject.startsWith(subjectStart)).toBe(true);
    }
  });

  it('keeps every control character out of the subject, as headerSafe() promises (C1 controls such as NEL too)', () => {
    const leaks = HEADER_INJECTIONS.map(
      (title) => render(uploadedRecording({ meetingTitle: title }), LINK).subject,
    ).filter((subject) => /\p{Cc}/u.test(subject));
    expect(leaks).toEqual([]);
  });

  it('escapes HTML in the title and the host name in the HTML part', () => {
    for (const payload of HTML_INJECTIONS) {
      const recording = uploadedRecording({
        meetingTitle: payload,
        host: { email: 'host@example.com', name: payload },
      });
      const { html, text } = render(recording, LINK);
      expect(html, payload).not.toContain(payload);
      expect(html, payload).toContain(escapeHtml(payload));
      expect(html).not.toMatch(/<script|<svg|<img|<style|<!-- comment/i);
      expect(text, 'the text part carries the title as typed').toContain(payload);
    }
  });

  it('escapes the link in the href so that it cannot close the attribute', () => {
    const link = { ...LINK, url: 'https://x.example.com/a"onmouseover="alert(1)&b=<c>' };
    const { html } = render(uploadedRecording(), link);
    expect(html).toContain('href="https://x.example.com/a&quot;onmouseover=&quot;alert(1)&amp;b=&lt;c&gt;"');
  });
});

const HOSTILE_TITLES = [
  '../../../../etc/passwd',
  '..\\..\\Windows\\System32\\config',
  '/absolute/path',
  'a/b\\c',
  '.hidden',
  '..',
  '...',
  ' . ',
  'CON',
  'nul',
  'COM1',
  'LPT9',
  'con.mp4',
  'NUL.tar.gz',
  'title\u0000with\u0001controls\u001f',
  'line\r\nbreak',
  'wild*cards?and|pipes<>"quotes":colons',
  '%2e%2e%2f%2e%2e%2f',
  `${'🎥'.repeat(300)}`,
  'trailing dots...',
  'trailing spaces   ',
];

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

describe('file names and object keys', () => {
  it('makes every title a file name safe on Windows, macOS and Linux', () => {
    for (const meetingTitle of HOSTILE_TITLES) {
      const name = recordingFileName({
        meetingTitle,
        meetingId: 'weekly-sync',
        startedAt: '2026-11-23T09:41:07.123Z',
        format: 'mp4',
      });
      const what = `${JSON.stringify(meetingTitle)} → ${JSON.stringify(name)}`;
      expect(name, what).toMatch(/-2026-11-23T09-41-07Z\.mp4$/);
      expect(name, what).not.toMatch(/[/\\<>:"|?*]|\p{Cc}/u);
      expect(name.startsWith('.'), what).toBe(false);
      expect(name.startsWith(' '), what).toBe(false);
    }
  });

  it('keeps every file name within 255 bytes of UTF-8 (ext4, APFS) and 255 UTF-16 units (NTFS)', () => {
    const tooLong = HOSTILE_TITLES.map((meetingTitle) =>
      recordingFileName({
        meetingTitle,
        meetingId: 'weekly-sync',
        startedAt: '2026-11-23T09:41:07.123Z',
        format: 'mkv',
      }),
    ).filter((name) => Buffer.byteLength(name, 'utf8') > 255 || name.length > 255);
    expect(tooLong.map((name) => `${Buffer.byteLength(name, 'utf8')} bytes: ${name.slice(0, 20)}…`)).toEqual(
      [],
    );
  });

  it('never names a file after a Windows device, with or without an extension (CON.txt opens CON)', () => {
    const devices = HOSTILE_TITLES.map((meetingTitle) =>
      recordingFileName({
        meetingTitle,
        meetingId: 'weekly-sync',
        startedAt: '2026-11-23T09:41:07.123Z',
        format: 'mp4',
      }),
    ).filter((name) => WINDOWS_DEVICE.test(name.split('.')[0] ?? ''));
    expect(devices).toEqual([]);
  });

  it('keeps the Content-Disposition of a download one header with the name quoted safely', () => {
    for (const name of ['a"; filename="evil.exe', 'a\r\nSet-Cookie: x=1', 'naïve "quoted" \\ name.mp4']) {
      const header = attachmentDisposition(name);
      const parsed =
        /^attachment; filename="([^"\\\r\n]*)"; filename\*=UTF-8''([A-Za-z0-9%!#$&+.^_`|~-]+)$/.exec(header);
      expect(parsed, header).not.toBeNull();
      expect(decodeURIComponent(parsed![2]!)).toBe(name);
    }
  });

  describe('through the API', () => {
    let api: ApiUnderTest;
    let key: string;
    let clientId: string;

    beforeAll(async () => {
      api = await startApiUnderTest();
      // Client ids come from devops; even a hostile one must not move a key out of its prefix.
      clientId = `../${uniqueClientId('names')}/..`;
      key = (await createApiKey({ clientId })).key;
    });

    afterAll(async () => {
      closeConnections();
      await api.stop();
    });

    it('keeps every object key under recordings/<client>/<meeting>/<id>/ with a one-segment file name', async () => {
      for (const [meetingId, meetingTitle] of [
        ['..', '../../../other-client/x'],
        ['.', '..'],
        ['...', '/etc/passwd'],
        ['a..b', 'a\\..\\..\\b'],
        ['ok:meeting', '%2F..%2F'],
      ] as const) {
        const id = await startRecording(api.url, key, { meetingId, meetingTitle });
        const { objectKey } = (await store().get(id))!;
        const segments = objectKey.split('/');
        expect(segments, objectKey).toHaveLength(5);
        expect(segments[0]).toBe('recordings');
        expect(segments[3]).toBe(id);
        for (const segment of segments) expect(['.', '..', ''], objectKey).not.toContain(segment);
        expect(segments[1]).not.toContain('/');
        expect(segments[4], objectKey).toMatch(/Z\.mp4$/);
      }
    });
  });
});
