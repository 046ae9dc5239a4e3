import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAINT_PROBE_BINDING, PAINT_PROBE_PX, PAINT_PROBE_SCRIPT } from '../src/paint-probe.js';

let browser: Browser;
beforeAll(async () => {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
});

const WIDTH = 200;

describe('the paint probe in a page', () => {
  it('flips a square at the top right of the top document only, and reports each flip with its frame time', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: WIDTH, height: 100 });
    const flips: Array<{ frameAtMs: number; lit: boolean; receivedAtMs: number }> = [];
    await page.exposeFunction(PAINT_PROBE_BINDING, (payload: string) => {
      const [frameAtMs, lit] = JSON.parse(payload) as [number, boolean];
      flips.push({ frameAtMs, lit, receivedAtMs: Date.now() });
    });
    await page.evaluateOnNewDocument(PAINT_PROBE_SCRIPT);
    // A page that removes everything once it has loaded, and holds a frame of its own.
    const html = `<body style="margin:0;background:#808080"><iframe srcdoc="<body style='background:#808080'>"
      style="position:fixed;top:0;right:0;width:100px;height:100px;border:0"></iframe>
      <script>addEventListener('load', () => setTimeout(() => document.documentElement.replaceChildren(document.body), 300))</script></body>`;
    await page.goto(`data:text/html,${encodeURIComponent(html)}`);
    await new Promise((resolve) => setTimeout(resolve, 1800));

    expect(flips.length).toBeGreaterThanOrEqual(5);
    expect(flips.map((flip) => flip.lit).slice(0, 4)).toEqual([true, false, true, false]);
    for (const flip of flips) {
      expect(flip.frameAtMs).toBeLessThanOrEqual(flip.receivedAtMs);
      expect(flip.receivedAtMs - flip.frameAtMs).toBeLessThan(200);
    }
    const inFrame = await page.frames()[1]?.evaluate(() => document.querySelectorAll('div').length);
    expect(inFrame).toBe(0);
    // Put back after the page threw everything out, in the top-right corner, above everything.
    const squares = await page.evaluate(() =>
      Array.from(document.querySelectorAll('div')).map((div) => {
        const box = div.getBoundingClientRect();
        return { left: box.left, top: box.top, width: box.width, zIndex: getComputedStyle(div).zIndex };
      }),
    );
    expect(squares).toEqual([
      { left: WIDTH - PAINT_PROBE_PX, top: 0, width: PAINT_PROBE_PX, zIndex: '2147483647' },
    ]);
    await page.close();
  });
});
