import { describe, expect, it } from 'vitest';
import { startVirtualDisplay } from '../src/display.js';
import { readDisplayRefresh } from '../src/display-refresh.js';

describe('the virtual display', () => {
  it('refreshes at the capture rate, so that Chromium paints 30 frames a second rather than 60', async () => {
    const display = await startVirtualDisplay(1280, 720, 30);
    try {
      expect(await readDisplayRefresh(display.name)).toBeCloseTo(30, 1);
    } finally {
      await display.stop();
    }
  });

  it("keeps Xvfb's mode without timings when no rate is asked (the baseline pipeline: Chromium paints at 60 Hz)", async () => {
    const display = await startVirtualDisplay(1920, 1080);
    try {
      expect(await readDisplayRefresh(display.name)).toBe(0);
    } finally {
      await display.stop();
    }
  });
});
