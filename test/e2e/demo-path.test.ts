import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoReport, runDemo } from '../../local/demo/run-demo.js';
import type { LocalMode } from '../../local/local-mode.js';
import { startTestLocalMode } from './local-mode.js';

let local: LocalMode;
beforeAll(async () => {
  local = await startTestLocalMode();
});
afterAll(() => local?.stop());

describe('the demo path', () => {
  let report: DemoReport;
  beforeAll(async () => {
    report = await runDemo(local, { seconds: 8, outputDir: mkdtempSync(join(tmpdir(), 'e2e-demo-')) });
  });

  it('goes through every state, in order', () => {
    const times = report.states.map(({ at }) => at);
    expect(times.every((at) => at !== null)).toBe(true);
    expect([...times].sort()).toEqual(times);
    expect(report.recording).toMatchObject({ status: 'UPLOADED', stopReason: 'requested', partial: false });
  });

  it('emails the host a link that downloads the recorded file', () => {
    expect(report.email.subject).toBe('Your recording "Demo meeting" is ready');
    const file = report.recording.file as { sizeBytes: number; name: string };
    expect(report.download.sizeBytes).toBe(file.sizeBytes);
    expect(report.download.path.endsWith(file.name)).toBe(true);
  });

  it('delivers a playable file with picture and sound', () => {
    expect(report.probe.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(report.probe.audio?.codec).toBe('aac');
    expect(report.probe.durationSeconds).toBeGreaterThan(5);
  });
});
