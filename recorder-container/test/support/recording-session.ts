import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MeetingServer, startMeetingServer } from './meeting-server.js';
import { type RecorderProcess, spawnRecorder } from './recorder-process.js';
import { type S3Emulator, s3Env, startS3Emulator } from './s3-emulator.js';

/** One s3rver, one meeting page server and a scratch directory for a test file. */
export interface Stage {
  s3: S3Emulator;
  meeting: MeetingServer;
  scratch: string;
  /** Starts a recorder against the stage; `page` is the meeting path and query. */
  record(page: string, env?: Record<string, string>, command?: string[]): Recording;
  close(): Promise<void>;
}

export interface Recording {
  id: string;
  key: string;
  process: RecorderProcess;
  /** Downloads the object into the scratch directory and returns its path. */
  download(): Promise<string>;
}

let counter = 0;

export async function startStage(): Promise<Stage> {
  const s3 = await startS3Emulator();
  const meeting = await startMeetingServer();
  const scratch = await mkdtemp(join(tmpdir(), 'recorder-test-'));
  const running: RecorderProcess[] = [];
  return {
    s3,
    meeting,
    scratch,
    record(page, env = {}, command = []) {
      counter += 1;
      const id = `rec_test${process.pid}x${counter}`;
      const key = `recordings/client/meeting/${id}/test.${env['FORMAT'] ?? 'mp4'}`;
      const recorderProcess = spawnRecorder(
        {
          ...s3Env(s3),
          RECORDING_ID: id,
          MEETING_URL: `${meeting.origin}${page}`,
          OBJECT_KEY: key,
          ALLOW_LOOPBACK_HTTP: 'true',
          VIDEO_PRESET: 'veryfast',
          ...env,
        },
        command,
      );
      running.push(recorderProcess);
      return {
        id,
        key,
        process: recorderProcess,
        async download() {
          const path = join(scratch, `${id}.${env['FORMAT'] ?? 'mp4'}`);
          await writeFile(path, await s3.download(key));
          return path;
        },
      };
    },
    async close() {
      for (const recorderProcess of running) {
        recorderProcess.killGroup();
        // A recorder killed by a test cannot clean up after itself.
        const workDir = recorderProcess.find('environment_ready')?.['workDir'];
        if (typeof workDir === 'string') await rm(workDir, { recursive: true, force: true, maxRetries: 5 });
      }
      await meeting.close();
      await s3.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The report the recorder logged with its success (what SendTaskSuccess carries). */
export function reportOf(recorderProcess: RecorderProcess): Record<string, unknown> {
  const event = recorderProcess.find('task_succeeded');
  if (!event) {
    throw new Error(`no success report; last events: ${JSON.stringify(recorderProcess.events.slice(-6))}`);
  }
  return event['report'] as Record<string, unknown>;
}

/** Wall-clock seconds between the recorder's start of recording and the stop trigger. */
export function recordedWallSeconds(recorderProcess: RecorderProcess): number {
  const started = recorderProcess.find('recording_started');
  const stopped = recorderProcess.find('stop_triggered');
  if (!started || !stopped) throw new Error('recording did not start and stop');
  return (Date.parse(stopped.at) - Date.parse(started.at)) / 1000;
}
