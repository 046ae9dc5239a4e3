import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameMayEnd } from '../src/end-signal.js';
import { reportOf, type Stage, startStage } from './support/recording-session.js';

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
}, 120_000);
afterAll(async () => {
  await stage?.close();
});

describe('a hostile meeting page', () => {
  it('cannot end the recording from a frame, open a popup, save a download or reach another local port', async () => {
    const localPort = Number(new URL(stage.s3.endpoint).port);
    const recording = stage.record(`/hostile?localPort=${localPort}`, { MAX_DURATION_SECONDS: '6' });
    expect(await recording.process.exited).toBe(0);
    expect(reportOf(recording.process)).toMatchObject({ stopReason: 'max_duration', partial: false });
    const refused = recording.process.events.filter((entry) => entry.event === 'end_refused');
    const foreignOrigin = stage.meeting.origin.replace('127.0.0.1', 'localhost');
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'frame origin not allowed', origin: foreignOrigin }),
        expect.objectContaining({ reason: 'not the top document' }),
      ]),
    );
    expect(stage.meeting.requests).toContain('/hostile-frame');
    expect(stage.meeting.requests).toContain('/same-origin-frame');
    // Nothing gave the page a user gesture, which would let it open windows for five seconds.
    expect(stage.meeting.requests).toContain('/activation?false');
    expect(stage.meeting.requests).not.toContain('/popup');
    expect(recording.process.find('download_refused')).toMatchObject({ suggestedFilename: 'x.bin' });
    // Loopback is allowed on the meeting URL's port only: the S3 emulator's port is refused, never connected.
    const toLocalPort = recording.process.events.filter((entry) => entry['port'] === localPort);
    expect(toLocalPort.map((entry) => entry.event)).toEqual(['egress_blocked']);
  });
});

describe('which frames may end a recording', () => {
  it('only https frames of hosts the allow-list names, never through `*`', () => {
    const allowed = ['meet.example.com', '*.example.org'];
    expect(frameMayEnd('https://meet.example.com', allowed)).toBe(true);
    expect(frameMayEnd('https://embed.example.org', allowed)).toBe(true);
    expect(frameMayEnd('http://meet.example.com', allowed)).toBe(false);
    expect(frameMayEnd('https://ads.example.net', allowed)).toBe(false);
    expect(frameMayEnd('https://ads.example.net', ['*'])).toBe(false);
    expect(frameMayEnd('null', allowed)).toBe(false);
  });
});
