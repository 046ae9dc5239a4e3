import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createReporter } from '../src/reporter.js';
import { type FakeStepFunctions, startFakeStepFunctions } from './support/fake-step-functions.js';
import { type HangingProxy, startHangingProxy } from './support/hanging-proxy.js';

const ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_EC2_METADATA_DISABLED: 'true',
};

let sfn: FakeStepFunctions;
/** Accepts connections and never answers. */
let blackHole: HangingProxy;
beforeAll(async () => {
  Object.assign(process.env, ENV);
  sfn = await startFakeStepFunctions();
  blackHole = await startHangingProxy(sfn.endpoint);
  blackHole.hang();
});
afterAll(async () => {
  await blackHole?.close();
  await sfn?.close();
});
afterEach(() => {
  delete process.env['AWS_ENDPOINT_URL_SFN'];
  delete process.env['AWS_ENDPOINT_URL_DYNAMODB'];
  vi.restoreAllMocks();
});

describe("the recorder's reports", () => {
  it('tell the workflow a failure without internal addresses or hosts; the log keeps them', async () => {
    process.env['AWS_ENDPOINT_URL_SFN'] = sfn.endpoint;
    const logged: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
      logged.push(String(line));
      return true;
    });
    const reporter = createReporter({
      tableName: undefined,
      taskToken: 'token-1',
      recordingId: 'rec_1',
      meetingUrl: 'https://meet.example.com/room',
    });
    const detail =
      'UploadPart 1 failed: connect ETIMEDOUT 127.0.0.1:47101 (bucket.s3.eu-west-1.amazonaws.com) while meet.example.com played';
    await reporter.failed('UploadFailed', detail);
    expect(sfn.of('SendTaskFailure').map((callback) => callback.body)).toEqual([
      {
        taskToken: 'token-1',
        error: 'Recorder.UploadFailed',
        cause: 'UploadPart 1 failed: connect ETIMEDOUT <address> (<host>) while meet.example.com played',
      },
    ]);
    const failedLine = logged.map((line) => JSON.parse(line)).find((event) => event.event === 'task_failed');
    expect(failedLine).toMatchObject({ error: 'Recorder.UploadFailed', detail });
  });

  it('end a Step Functions call that never answers as an error instead of waiting for ever', async () => {
    process.env['AWS_ENDPOINT_URL_SFN'] = blackHole.endpoint;
    const reporter = createReporter({
      tableName: undefined,
      taskToken: 'token-2',
      recordingId: 'rec_2',
      callTimeoutMs: 300,
    });
    await expect(reporter.heartbeat()).rejects.toThrow(/requestTimeout|timed out/);
  });

  it('end a DynamoDB call that never answers as an error instead of waiting for ever', async () => {
    process.env['AWS_ENDPOINT_URL_DYNAMODB'] = blackHole.endpoint;
    const reporter = createReporter({
      tableName: 'recordings',
      taskToken: undefined,
      recordingId: 'rec_3',
      callTimeoutMs: 300,
    });
    await expect(reporter.stopRequested()).rejects.toThrow(/requestTimeout|timed out/);
  });
});
