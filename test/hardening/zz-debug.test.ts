import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'vitest';
import { createApiKey } from '../support/api-keys.js';
import { startApiUnderTest } from './support/api-under-test.js';
import { send } from './support/http-client.js';
import { jsonRequest, recordingIn, store } from './support/world.js';

it('debug', async () => {
  const api = await startApiUnderTest({ POWERTOOLS_LOG_LEVEL: 'ERROR' });
  const key = (await createApiKey({ clientId: 'dbg' })).key;
  for (let i = 0; i < 6; i++) {
    const id = await recordingIn(api.url, key, 'RECORDING');
    const t = performance.now();
    const [a, b] = await Promise.all([
      send(api.url, jsonRequest('POST', `/v1/recordings/${id}/stop`, key)).then((r) => {
        console.log('stop done', (performance.now() - t).toFixed(1));
        return r;
      }),
      sleep(i * 20)
        .then(() => {
          console.log('transition starts', (performance.now() - t).toFixed(1));
          return store().transition(id, 'UPLOADING', { stopReason: 'max_duration' });
        })
        .then((r) => {
          console.log('transition done', (performance.now() - t).toFixed(1));
          return r;
        }),
    ]);
    console.log('stop', a.status, JSON.parse(a.body.toString()).status, b.status);
  }
  await api.stop();
}, 300_000);
