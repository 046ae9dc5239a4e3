import { describe, expect, it } from 'vitest';
import { recordingReadyEmail } from '../../lambdas/email/recording-ready-email.js';
import { humanDuration, humanSize } from '../../lambdas/presentation/human-format.js';
import { uploadedRecording } from '../support/recordings.js';

const link = {
  url: 'https://files.example.com/x?X-Amz-Signature=abc&b=1',
  expiresAt: '2026-11-30T10:38:12.000Z',
};

describe('recordingReadyEmail', () => {
  it('gives the title, start, duration, size, link and expiry in both parts', () => {
    const email = recordingReadyEmail(uploadedRecording(), link);
    expect(email.subject).toBe('Your recording "Weekly sync" is ready');
    for (const part of [email.text, email.html]) {
      expect(part).toContain('Weekly sync');
      expect(part).toContain('23 Nov 2026, 09:41 UTC');
      expect(part).toContain('57 min 1 s');
      expect(part).toContain('117.7 MB');
      expect(part).toContain('30 Nov 2026, 10:38 UTC');
    }
    expect(email.text).toContain(link.url);
    expect(email.html).toContain('href="https://files.example.com/x?X-Amz-Signature=abc&amp;b=1"');
    expect(email.text).toMatch(/^Hello Ada,/);
  });

  it('says partial in the subject and the body', () => {
    const email = recordingReadyEmail(uploadedRecording({ partial: true }), link);
    expect(email.subject).toBe('Your recording "Weekly sync" is ready (partial)');
    expect(email.text).toContain('partial');
    expect(email.html).toContain('id="partial"');
  });

  it('escapes HTML and keeps the subject on one line whatever the user typed', () => {
    const email = recordingReadyEmail(
      uploadedRecording({
        meetingTitle: 'Q3 <script>alert(1)</script>\r\nBcc: victim@example.com',
        host: { email: 'host@example.com', name: '<img src=x onerror=alert(1)>' },
      }),
      link,
    );
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toBe(
      'Your recording "Q3 <script>alert(1)</script> Bcc: victim@example.com" is ready',
    );
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('falls back to the meeting id without a title', () => {
    expect(recordingReadyEmail(uploadedRecording({ meetingTitle: null }), link).subject).toContain(
      '"weekly-sync"',
    );
  });
});

describe('human units', () => {
  it.each([
    [5, '5 s'],
    [60, '1 min'],
    [61.4, '1 min 1 s'],
    [3600, '1 h 0 min'],
    [3725, '1 h 2 min'],
  ])('%s seconds read %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });
  it.each([
    [100, '1 KB'],
    [5 * 1024 * 1024, '5.0 MB'],
    [3 * 1024 ** 3, '3.00 GB'],
  ])('%s bytes read %s', (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });
});
