import type { ChildProcess } from 'node:child_process';
import { spawnLogged, stopProcess } from './processes.js';

export interface VirtualDisplay {
  /** `:<n>` */
  name: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts Xvfb on a display number it picks itself (-displayfd), so parallel recorders never clash. */
export async function startVirtualDisplay(width: number, height: number): Promise<VirtualDisplay> {
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
  return {
    name: `:${number}`,
    process: xvfb,
    stop: async () => {
      await stopProcess(xvfb);
    },
  };
}
