import { mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForArchive } from '@meeting-recorder/client';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadLink } from '../../local/demo/ses-mail.js';
import { pollUntil } from '../../local/demo/waiting.js';
import type { LocalMode } from '../../local/local-mode.js';
import { launchTestBrowser } from '../support/test-browser.js';
import { zipEntries } from '../support/zip-entries.js';
import { clientFor, startBody, startTestLocalMode, waitForEmailTo, waitForRecording } from './local-mode.js';

let local: LocalMode;
let browser: Browser;
beforeAll(async () => {
  local = await startTestLocalMode({ settings: { LINK_MODE: 'redirect' } });
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

const HOSTILE_TITLE =
  '</title><script>window.pwned=1</script><img src=x onerror="window.pwned=2"> Review 周会';

describe('emailed links in redirect mode', () => {
  it('download the file and a ZIP of it until the recording is deleted, then answer 410', async () => {
    const client = clientFor(local);
    const body = startBody(local, { maxDurationSeconds: 10 });
    const { id } = (await client.POST('/v1/recordings', { body })).data!;
    const uploaded = await waitForRecording(client, id, (recording) => recording.status === 'UPLOADED');
    expect(uploaded.stopReason).toBe('max_duration');

    const email = await waitForEmailTo(local, body.host.email);
    const link = downloadLink(email)!;
    expect(link.startsWith(`${local.endpoints.api}/v1/links/`)).toBe(true);

    const redirect = await fetch(link, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const file = await fetch(redirect.headers.get('location')!);
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.length).toBe(uploaded.file!.sizeBytes);

    // The same file as a ZIP archive: built from the table's stream, linked through the API.
    const asked = await client.POST('/v1/archives', { body: { ids: [id] } });
    expect(asked.response.status).toBe(202);
    const archive = await waitForArchive(client, asked.data!.id, { intervalMs: 250, timeoutMs: 60_000 });
    expect(archive.status).toBe('READY');
    const archiveRedirect = await fetch(archive.url!, { redirect: 'manual' });
    expect(archiveRedirect.status).toBe(302);
    const zip = Buffer.from(await (await fetch(archiveRedirect.headers.get('location')!)).arrayBuffer());
    expect(zip.length).toBe(archive.sizeBytes);
    const entries = await zipEntries(zip);
    expect(entries.map((entry) => entry.name)).toEqual([uploaded.file!.name]);
    expect(entries[0]!.data.equals(bytes)).toBe(true);

    expect((await client.DELETE('/v1/recordings/{id}', { params: { path: { id } } })).response.status).toBe(
      204,
    );
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(410);
    // The archive goes with its recording.
    const archiveAfter = await client.GET('/v1/archives/{id}', { params: { path: { id: archive.id } } });
    expect(archiveAfter.response.status).toBe(410);
    expect((await client.GET('/v1/recordings/{id}', { params: { path: { id } } })).data?.status).toBe(
      'DELETED',
    );
  });

  it('open in a browser as a watch page that plays, seeks, downloads and escapes the title, on a phone and a desktop', async () => {
    const client = clientFor(local);
    const body = startBody(local, { maxDurationSeconds: 12, meetingTitle: HOSTILE_TITLE });
    const { id } = (await client.POST('/v1/recordings', { body })).data!;
    const uploaded = await waitForRecording(client, id, (recording) => recording.status === 'UPLOADED');
    const file = uploaded.file!;
    const link = downloadLink(await waitForEmailTo(local, body.host.email))!;
    mkdirSync('test-results', { recursive: true });

    for (const [screen, viewport] of [
      ['phone', { width: 390, height: 844, isMobile: true, hasTouch: true }],
      ['desktop', { width: 1280, height: 800 }],
    ] as const) {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      const response = await page.goto(link, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      const seen = await page.evaluate(() => ({
        title: document.title,
        heading: document.querySelector('#title')?.textContent,
        injected: document.querySelectorAll('script, img').length,
        pwned: (window as { pwned?: number }).pwned,
        facts: document.querySelector('#facts')?.textContent,
        expiry: document.querySelector('#expiry')?.textContent,
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        button: document.querySelector('#download')!.getBoundingClientRect().toJSON(),
      }));
      expect(seen.title).toBe(HOSTILE_TITLE);
      expect(seen.heading).toBe(HOSTILE_TITLE);
      expect(seen.injected).toBe(0);
      expect(seen.pwned).toBeUndefined();
      expect(seen.facts).toMatch(/UTC · \d+ s · \d+ KB/);
      expect(seen.expiry).toMatch(/^This link works until \d+ \w+ \d{4}, \d\d:\d\d UTC/);
      expect(seen.overflow).toBeLessThanOrEqual(0);
      expect(seen.button.right).toBeLessThanOrEqual(viewport.width);

      const played = await page.evaluate(async () => {
        const video = document.querySelector('video')!;
        video.muted = true;
        await video.play();
        await new Promise<void>((resolve) => {
          const check = () => (video.currentTime > 1 ? resolve() : setTimeout(check, 50));
          check();
        });
        video.pause();
        const seekTo = video.duration - 3;
        video.currentTime = seekTo;
        await new Promise((resolve) => video.addEventListener('seeked', resolve, { once: true }));
        return {
          duration: video.duration,
          seekTo,
          at: video.currentTime,
          readyState: video.readyState,
          size: [video.videoWidth, video.videoHeight],
          error: video.error?.message ?? null,
        };
      });
      expect(played.error).toBeNull();
      expect(played.duration).toBeCloseTo(file.durationSeconds, 0);
      expect(played.at).toBeCloseTo(played.seekTo, 0);
      expect(played.readyState).toBeGreaterThanOrEqual(2);
      expect(played.size).toEqual([1280, 720]);
      await page.screenshot({ path: `test-results/watch-page-${screen}.png`, fullPage: true });

      const downloads = mkdtempSync(join(tmpdir(), 'watch-page-download-'));
      const session = await browser.target().createCDPSession();
      await session.send('Browser.setDownloadBehavior', {
        behavior: 'allow',
        downloadPath: downloads,
        eventsEnabled: true,
      });
      const completed = new Promise<void>((resolve) =>
        session.on('Browser.downloadProgress', (event) => event.state === 'completed' && resolve()),
      );
      await page.click('#download');
      await completed;
      const saved = await pollUntil('the downloaded file', async () => readdirSync(downloads)[0], {
        timeoutMs: 10_000,
      });
      expect(saved).toMatch(/\.mp4$/);
      expect(statSync(join(downloads, saved)).size).toBe(file.sizeBytes);
      await session.detach();
      await page.close();
    }
  });
});
