import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../local/demo/waiting.js';
import type { LocalMode } from '../../local/local-mode.js';
import { clientFor, startTestLocalMode } from './local-mode.js';

let local: LocalMode;
beforeAll(async () => {
  local = await startTestLocalMode();
});
afterAll(() => local?.stop());

describe("the README's client quickstart (client/examples/quickstart.ts)", () => {
  it('records a meeting through the client package, as an integrator would run it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'client/examples/quickstart.ts'], {
      env: {
        ...process.env,
        API_URL: local.endpoints.api,
        API_KEY: local.apiKeys[0]!.key,
        MEETING_URL: local.endpoints.demoMeeting,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = once(child, 'exit');

    const client = clientFor(local);
    const live = await pollUntil(
      'the quickstart recording to be RECORDING',
      async () => {
        const { data } = await client.GET('/v1/recordings', {
          params: { query: { meetingId: 'weekly-sync' } },
        });
        return data?.items.find((recording) => recording.status === 'RECORDING');
      },
      { timeoutMs: 120_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const stop = await client.POST('/v1/recordings/{id}/stop', { params: { path: { id: live.id } } });
    expect(stop.response.status).toBe(202);

    const [code] = await exited;
    expect(output).toMatch(/^UPLOADED \d+ \d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
    expect(code).toBe(0);
  });
});
