import puppeteer from 'puppeteer-core';
import { serveWithRanges } from './range-server.js';

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
  const served = await serveWithRanges(file, contentType);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(new URL('/', served.url).href);
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
      served.url,
    );
  } finally {
    await browser.close();
    served.close();
  }
}
