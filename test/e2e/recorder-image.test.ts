import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoReport, runDemo } from '../../local/demo/run-demo.js';
import { pollUntil } from '../../local/demo/waiting.js';
import type { LocalMode } from '../../local/local-mode.js';
import { RECORDER_CONTAINER_LABEL } from '../../local/workflow/container-recorder.js';
import { DockerEngine, dockerUnavailable } from '../support/docker-engine.js';
import { startTestLocalMode } from './local-mode.js';

// The image Fargate runs, built from recorder-container/Dockerfile as it is and recording the demo
// meeting through the API in local mode (LOCAL_RECORDER=container), as the image's own user.
const IMAGE = 'meeting-recorder:test';
const unavailable = dockerUnavailable();
if (unavailable) console.log(`recorder image tests skipped: ${unavailable}`);
const BUILD_TIMEOUT_MS = 30 * 60_000;

describe.skipIf(unavailable)('the recorder image', () => {
  let engine: DockerEngine;
  let local: LocalMode;
  const lines: string[] = [];
  let report: DemoReport;
  let containerUid: string;

  beforeAll(async () => {
    engine = await DockerEngine.start();
    const started = Date.now();
    await engine.ensureBaseImage();
    await engine.build(IMAGE);
    console.log(`recorder image built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.env.DOCKER_HOST = `unix://${engine.socket}`;
    local = await startTestLocalMode({
      settings: { LOCAL_RECORDER: 'container', LOCAL_RECORDER_IMAGE: IMAGE },
      log: (line) => lines.push(line),
    });
    const demo = runDemo(local, { seconds: 10, outputDir: mkdtempSync(join(tmpdir(), 'e2e-image-')) });
    const container = await pollUntil(
      'waiting for the recorder container',
      async () =>
        (await engine.docker(['ps', '--quiet', '--filter', `label=${RECORDER_CONTAINER_LABEL}`])).trim() ||
        undefined,
      { timeoutMs: 60_000 },
    );
    containerUid = (await engine.docker(['exec', container, 'id', '-u'])).trim();
    report = await demo;
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await local?.stop();
    await engine?.removeContainers(RECORDER_CONTAINER_LABEL).catch(() => {});
    await engine?.stop();
    delete process.env.DOCKER_HOST;
  }, 120_000);

  it('records the demo meeting into a playable file', () => {
    expect(report.recording).toMatchObject({ status: 'UPLOADED', stopReason: 'requested' });
    expect(report.probe.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(report.probe.audio?.codec).toBe('aac');
    expect(report.probe.durationSeconds).toBeGreaterThan(7);
    expect(report.download.sizeBytes).toBe((report.recording.file as { sizeBytes: number }).sizeBytes);
  });

  // The container reports to the local workflow's endpoint, not to AWS: a lost report would be salvaged as partial.
  it('ends whole, not partial', () => {
    expect(report.recording).toMatchObject({ partial: false });
  });

  it('runs the recorder as its own user, not root', () => {
    expect(containerUid).toBe('10001');
  });

  // Without the network-time policy, the refused updater and account URLs, and with Debian's wrapper,
  // Chromium asked clients2.google.com, accounts.google.com and update.googleapis.com by itself.
  it('lets Chromium make no request the meeting page did not ask for', () => {
    const pageHost = new URL(local.endpoints.demoMeeting).hostname;
    const blocked = lines.filter((line) => line.includes('egress_blocked'));
    const foreign = blocked.filter((line) => !line.includes(pageHost));
    expect(lines.some((line) => line.includes('[recorder'))).toBe(true);
    expect(foreign).toEqual([]);
  });
});
