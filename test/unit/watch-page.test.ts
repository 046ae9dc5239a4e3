import { describe, expect, it } from 'vitest';
import { wantsWatchPage, watchPage } from '../../lambdas/links/watch-page.js';
import { uploadedRecording } from '../support/recordings.js';

const FILE_ORIGIN = 'https://bucket.s3.eu-west-1.amazonaws.com';

describe('wantsWatchPage', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', {}, true],
    ['TEXT/HTML; charset=utf-8', {}, true],
    ['text/html;q=0.5, */*', {}, true],
    ['*/*', {}, false],
    [undefined, {}, false],
    ['application/json', {}, false],
    ['text/html;q=0, */*', {}, false],
    ['text/html-sandboxed', {}, false],
    ['text/html,*/*', { download: '1' }, false],
    ['text/html', { download: '' }, false],
  ])('Accept %j with query %j: %s', (accept, query, expected) => {
    expect(wantsWatchPage(accept, query)).toBe(expected);
  });
});

describe('watchPage', () => {
  it("gives the meeting's title, start, duration, size and the link's expiry, with the file behind ?download=1", () => {
    const { html } = watchPage(uploadedRecording(), '2026-11-30T10:38:12.000Z', FILE_ORIGIN);
    expect(html).toContain('<title>Weekly sync</title>');
    expect(html).toContain('23 Nov 2026, 09:41 UTC · 57 min 1 s · 117.7 MB');
    expect(html).toContain('This link works until 30 Nov 2026, 10:38 UTC');
    expect(html).toContain('<video id="player" controls playsinline preload="metadata" src="?download=1">');
    expect(html).toContain('<a class="download" id="download" href="?download=1" download>');
    expect(html).not.toContain('id="partial"');
    expect(html).not.toContain('MKV');
  });

  it('says when the file is partial, and that browsers may not play MKV', () => {
    const { html } = watchPage(
      uploadedRecording({ partial: true, format: 'mkv' }),
      '2026-11-30T10:38:12.000Z',
      FILE_ORIGIN,
    );
    expect(html).toContain('id="partial"');
    expect(html).toContain('Some browsers cannot play MKV files');
  });

  it('escapes the title and falls back to the meeting id when there is none', () => {
    const hostile = watchPage(
      uploadedRecording({ meetingTitle: '</title><script>alert(1)</script><img src=x onerror=alert(2)>' }),
      '2026-11-30T10:38:12.000Z',
      FILE_ORIGIN,
    ).html;
    expect(hostile).not.toMatch(/<script|<img/);
    expect(hostile).toContain('&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const untitled = watchPage(
      uploadedRecording({ meetingTitle: null }),
      '2026-11-30T10:38:12.000Z',
      FILE_ORIGIN,
    );
    expect(untitled.html).toContain('<title>weekly-sync</title>');
  });

  it('allows no script, and media only from itself and the file origin', () => {
    const { contentSecurityPolicy } = watchPage(uploadedRecording(), '2026-11-30T10:38:12.000Z', FILE_ORIGIN);
    expect(contentSecurityPolicy).toContain("default-src 'none'");
    expect(contentSecurityPolicy).toContain(`media-src 'self' ${FILE_ORIGIN}`);
    expect(contentSecurityPolicy).not.toMatch(/script-src/);
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'");
  });
});
