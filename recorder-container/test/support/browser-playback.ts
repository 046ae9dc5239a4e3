import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer from 'puppeteer-core';

export interface Playback {
  /** What the <video> element reports once it has the metadata. */
  durationSeconds: number;
  /** Where playback stood after seeking to the middle and playing on for half a second. */
  positionAfterSeekSeconds: number;
  videoWidth: number;
}

/**
 * Plays a recorded file in headless Chromium's <video> element, served over HTTP with range requests as
 * S3 serves it: reads its duration, seeks to the middle and plays on. Throws on a media error.
 */
export async function playInChromium(file: string, contentType: string): Promise<Playback> {
  const body = await readFile(file);
  const server = createServer((request, response) => {
    if (request.url !== '/recording') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<video id="v" muted></video>');
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Number(range[2]) : body.length - 1;
    response.writeHead(range ? 206 : 200, {
      'content-type': contentType,
      'accept-ranges': 'bytes',
      'content-length': String(end - start + 1),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${body.length}` } : {}),
    });
    response.end(body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return await page.evaluate(
      (source) =>
        new Promise<Playback>((resolve, reject) => {
          const video = document.getElementById('v') as HTMLVideoElement;
          const fail = () => reject(new Error(`media error ${video.error?.code}: ${video.error?.message}`));
          video.addEventListener('error', fail);
          video.addEventListener(
            'loadedmetadata',
            () => {
              const durationSeconds = video.duration;
              video.addEventListener(
                'seeked',
                () => {
                  void video.play().catch(fail);
                  setTimeout(() => {
                    resolve({
                      durationSeconds,
                      positionAfterSeekSeconds: video.currentTime,
                      videoWidth: video.videoWidth,
                    });
                  }, 500);
                },
                { once: true },
              );
              video.currentTime = durationSeconds / 2;
            },
            { once: true },
          );
          video.src = source;
        }),
      `${origin}/recording`,
    );
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
}
