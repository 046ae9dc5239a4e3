import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's Chromium, headless, asking no Google host for anything while a test looks at a page. */
export function launchTestBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
