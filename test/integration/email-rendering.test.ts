import { mkdirSync } from 'node:fs';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingReadyEmail } from '../../lambdas/email/recording-ready-email.js';
import { uploadedRecording } from '../support/recordings.js';
import { launchTestBrowser } from '../support/test-browser.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launchTestBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const link = {
  url: 'https://files.example.com/recordings/x.mp4?X-Amz-Signature=abc',
  expiresAt: '2026-11-30T10:38:12.000Z',
};

describe('the host email in a real browser', () => {
  it.each([
    ['phone', 375],
    ['desktop', 1024],
  ])(
    'lays out on a %s screen: nothing overflows, the download button is visible and links to the file',
    async (name, width) => {
      const email = recordingReadyEmail(
        uploadedRecording({
          partial: true,
          meetingTitle:
            'Quarterly planning with a very long title that must wrap neatly 周会 🎉 <b>not bold</b>',
        }),
        link,
      );
      const page = await browser.newPage();
      await page.setViewport({ width, height: 900 });
      // The email must not need the network: block every request but the document itself.
      await page.setRequestInterception(true);
      page.on('request', (request) =>
        request.url() === 'about:blank' ? request.continue() : request.abort(),
      );
      await page.setContent(email.html, { waitUntil: 'load' });
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: `test-results/email-${name}.png`, fullPage: true });

      const layout = await page.evaluate(() => {
        const button = document.querySelector('#download')!.getBoundingClientRect();
        return {
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          button: { left: button.left, right: button.right, top: button.top, height: button.height },
          href: document.querySelector('#download')!.getAttribute('href'),
          partialShown: !!document.querySelector('#partial'),
          boldInjected: document.querySelectorAll('b').length,
          title: document.title,
        };
      });
      expect(layout.overflow).toBeLessThanOrEqual(0);
      expect(layout.button.left).toBeGreaterThanOrEqual(0);
      expect(layout.button.right).toBeLessThanOrEqual(width);
      expect(layout.button.top).toBeLessThan(900);
      expect(layout.button.height).toBeGreaterThan(30);
      expect(layout.href).toBe(link.url);
      expect(layout.partialShown).toBe(true);
      expect(layout.boldInjected).toBe(0);
      expect(layout.title).toContain('(partial)');
      await page.close();
    },
  );
});
