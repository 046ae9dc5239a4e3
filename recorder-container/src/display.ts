import type { ChildProcess } from 'node:child_process';
import { setDisplayRefresh } from './display-refresh.js';
import { errorMessage, log } from './log.js';
import { spawnLogged, stopProcess } from './processes.js';

export interface VirtualDisplay {
  /** `:<n>` */
  name: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts Xvfb on a display number it picks itself (-displayfd), so parallel recorders never clash. With
 * `refreshHz` (the capture rate) the screen gets that refresh rate, so that Chromium paints no frame the
 * capture would skip; without it Chromium paints at 60 Hz.
 */
export async function startVirtualDisplay(
  width: number,
  height: number,
  refreshHz?: number,
): Promise<VirtualDisplay> {
  const xvfb = spawnLogged(
    'xvfb',
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset', '-nocursor'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not report a display within 10 s')), 10_000);
    xvfb.stdio[3]?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.trim());
      }
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with ${code}`));
    });
  });
  const name = `:${number}`;
  const refresh =
    refreshHz === undefined
      ? undefined
      : await setDisplayRefresh(name, width, height, refreshHz).catch((error: unknown) => {
          log('display_refresh_unset', { error: errorMessage(error), effect: 'Chromium paints at 60 Hz' });
          return undefined;
        });
  return {
    name,
    process: xvfb,
    stop: async () => {
      await refresh?.close();
      await stopProcess(xvfb);
    },
  };
}
