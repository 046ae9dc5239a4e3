import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRecordingsClient, type Recording, RecordingsApiError } from '../../client/src/index.js';
import type { LocalMode } from '../local-mode.js';
import { type MediaFacts, probeMedia } from './ffprobe.js';
import { downloadLink, storedEmails } from './ses-mail.js';
import { type Progress, pollUntil } from './waiting.js';

export interface DemoOptions {
  /** How long to record before stopping. */
  readonly seconds: number;
  /** Where the downloaded file goes. */
  readonly outputDir: string;
  readonly progress?: Progress;
  readonly meetingTitle?: string;
}

export interface DemoReport {
  readonly recordingId: string;
  readonly meetingUrl: string;
  /** Each status the recording went through, with the time the recording object gives for it. */
  readonly states: { status: string; at: string | null }[];
  readonly recording: Recording;
  readonly email: { to: string; subject: string; link: string; receivedAt: string };
  readonly download: { path: string; sizeBytes: number; contentType: string | null };
  readonly probe: MediaFacts;
  readonly stopRequestedAt: string;
  /** From the stop request to the email in the SES emulator. */
  readonly stopToEmailSeconds: number;
}

const LIVE = new Set(['INVOKED', 'RECORDING', 'UPLOADING']);

/**
 * The demo path through the public API of a running local mode: start a recording of the demo meeting, let
 * it run, stop it as the host, wait for UPLOADED and the email, download the file through the emailed link
 * and check it with ffprobe.
 */
export async function runDemo(local: LocalMode, options: DemoOptions): Promise<DemoReport> {
  const progress = options.progress ?? (() => {});
  const [key] = local.apiKeys;
  if (!key) throw new Error('local mode has no API key');
  const api = createRecordingsClient({ baseUrl: local.endpoints.api, apiKey: key.key });
  const hostEmail = `host+${Date.now().toString(36)}@example.com`;
  const meetingTitle = options.meetingTitle ?? 'Demo meeting';

  const start = await api.POST('/v1/recordings', {
    body: {
      meetingId: `demo-${Date.now().toString(36)}`,
      meetingUrl: local.endpoints.demoMeeting,
      meetingTitle,
      host: { email: hostEmail, name: 'Demo host' },
    },
  });
  if (!start.data) throw RecordingsApiError.from(start.response, start.error);
  const created = start.data;
  progress(`Recording ${created.id} accepted; waiting for the recorder to join the meeting…`);
  const current = async () => {
    const { data, error, response } = await api.GET('/v1/recordings/{id}', {
      params: { path: { id: created.id } },
    });
    if (!data) throw RecordingsApiError.from(response, error);
    return data;
  };

  const started = await pollUntil(
    'waiting for RECORDING',
    async () => {
      const recording = await current();
      if (!LIVE.has(recording.status))
        throw new Error(`the recording ended as ${recording.status}: ${JSON.stringify(recording.error)}`);
      return recording.status === 'RECORDING' ? recording : undefined;
    },
    { timeoutMs: 180_000, progress },
  );
  progress(`Recording since ${String(started.startedAt)}; stopping in ${options.seconds} s…`);
  for (let left = options.seconds; left > 0; left -= 5) {
    await sleep(Math.min(5, left) * 1000);
    if (left > 5) progress(`… ${left - 5} s to go`);
  }

  const stopRequestedAt = new Date();
  const stop = await api.POST('/v1/recordings/{id}/stop', {
    params: { path: { id: created.id } },
    body: { requestedBy: { email: hostEmail } },
  });
  if (stop.response.status !== 202) throw RecordingsApiError.from(stop.response, stop.error);
  progress('Stop requested; waiting for UPLOADED…');
  const uploaded = await pollUntil(
    'waiting for UPLOADED',
    async () => {
      const recording = await current();
      if (recording.status === 'ERRORED' || recording.status === 'DELETED') {
        throw new Error(`the recording ended as ${recording.status}: ${JSON.stringify(recording.error)}`);
      }
      return recording.status === 'UPLOADED' ? recording : undefined;
    },
    { timeoutMs: 300_000, progress },
  );

  progress('Uploaded; waiting for the email to the host…');
  const email = await pollUntil(
    'waiting for the email',
    async () =>
      (await storedEmails(local.endpoints.ses)).find((mail) => mail.destination.to.includes(hostEmail)),
    { timeoutMs: 180_000, progress },
  );
  const emailSeenAt = new Date();
  const link = downloadLink(email);
  if (!link) throw new Error(`no download link in the email "${email.subject}"`);

  const response = await fetch(link);
  if (!response.ok) throw new Error(`the emailed link answered ${response.status}`);
  const file = Buffer.from(await response.arrayBuffer());
  const fileName = uploaded.file?.name ?? `${created.id}.mp4`;
  mkdirSync(options.outputDir, { recursive: true });
  const path = join(options.outputDir, fileName);
  writeFileSync(path, file);
  const probe = await probeMedia(path);

  return {
    recordingId: created.id,
    meetingUrl: local.endpoints.demoMeeting,
    states: [
      { status: 'INVOKED', at: uploaded.createdAt },
      { status: 'RECORDING', at: uploaded.startedAt },
      { status: 'UPLOADING', at: uploaded.stoppedAt },
      { status: 'UPLOADED', at: uploaded.uploadedAt },
    ],
    recording: uploaded,
    email: {
      to: hostEmail,
      subject: email.subject,
      link,
      receivedAt: new Date(email.at * 1000).toISOString(),
    },
    download: { path, sizeBytes: file.length, contentType: response.headers.get('content-type') },
    probe,
    stopRequestedAt: stopRequestedAt.toISOString(),
    stopToEmailSeconds: Math.max(0, (emailSeenAt.getTime() - stopRequestedAt.getTime()) / 1000),
  };
}
