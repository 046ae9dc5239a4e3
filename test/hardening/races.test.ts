import { setTimeout as sleep } from 'node:timers/promises';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBody } from '../support/api-env.js';
import { createApiKey } from '../support/api-keys.js';
import { bucketName, s3 } from '../support/aws.js';
import { uniqueClientId } from '../support/table.js';
import { type ApiUnderTest, startApiUnderTest } from './support/api-under-test.js';
import { errorShapeProblem } from './support/contract.js';
import { closeConnections, type RawResponse, send } from './support/http-client.js';
import { jsonRequest, recordingIn, store, uniqueMeetingId } from './support/world.js';

const RACERS = 50;

let api: ApiUnderTest;
let key: string;

beforeAll(async () => {
  api = await startApiUnderTest();
  key = (await createApiKey({ clientId: uniqueClientId('races') })).key;
});

afterAll(async () => {
  closeConnections();
  await api.stop();
});

const json = (answer: RawResponse) => JSON.parse(answer.body.toString('utf8'));
const byStatus = (answers: RawResponse[]) =>
  answers.reduce<Record<number, number>>((counts, { status }) => {
    counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }, {});

describe('races over HTTP', () => {
  it(`${RACERS} concurrent starts for one meeting create exactly one recording`, async () => {
    const meetingId = uniqueMeetingId('race-start');
    const executions = api.executionsStarted();
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () =>
        send(api.url, jsonRequest('POST', '/v1/recordings', key, startBody({ meetingId }))),
      ),
    );
    expect(byStatus(answers)).toEqual({ 202: 1, 409: RACERS - 1 });
    const winner = json(answers.find((answer) => answer.status === 202)!).id;
    for (const answer of answers.filter(({ status }) => status === 409)) {
      expect(errorShapeProblem(answer.status, answer.body)).toBeNull();
      expect(json(answer).error).toMatchObject({
        code: 'meeting_already_recording',
        details: [{ recordingId: winner }],
      });
    }
    expect(api.executionsStarted() - executions).toBe(1);
    const listed = await send(api.url, jsonRequest('GET', `/v1/recordings?meetingId=${meetingId}`, key));
    expect(json(listed).items.map((item: { id: string }) => item.id)).toEqual([winner]);
  });

  it(`${RACERS} concurrent starts with one Idempotency-Key all answer the first response`, async () => {
    const body = startBody({ meetingId: uniqueMeetingId('race-idem') });
    const request = jsonRequest('POST', '/v1/recordings', key, body);
    const headers = [...request.headers, ['idempotency-key', `race-${Date.now()}`] as const];
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () => send(api.url, { ...request, headers })),
    );
    expect(byStatus(answers)).toEqual({ 202: RACERS });
    expect(new Set(answers.map((answer) => json(answer).id)).size).toBe(1);
  });

  it(`${RACERS} concurrent stops: one 202, the others 200 with nothing changed`, async () => {
    const id = await recordingIn(api.url, key, 'RECORDING');
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () =>
        send(api.url, jsonRequest('POST', `/v1/recordings/${id}/stop`, key)),
      ),
    );
    expect(byStatus(answers)).toEqual({ 200: RACERS - 1, 202: 1 });
    const stored = await store().get(id);
    expect(stored?.status).toBe('RECORDING');
    expect(stored?.stopRequestedAt).toEqual(expect.any(String));
  });

  it('delete racing link creation: the link is refused with 409, or issued and then dead', async () => {
    const outcomes = { linkFirst: 0, deleteFirst: 0 };
    for (let pair = 0; pair < 10; pair++) {
      const id = await recordingIn(api.url, key, 'UPLOADED');
      const { objectKey } = (await store().get(id))!;
      // Staggered by 0-45 ms so that both orders happen: a delete takes tens of milliseconds here.
      const [link, deleted] = await Promise.all([
        sleep(pair * 5).then(() => send(api.url, jsonRequest('POST', `/v1/recordings/${id}/links`, key, {}))),
        send(api.url, jsonRequest('DELETE', `/v1/recordings/${id}`, key)),
      ]);
      expect(deleted.status).toBe(204);
      expect([201, 409]).toContain(link.status);
      if (link.status === 201) {
        outcomes.linkFirst++;
        const url = new URL(json(link).url);
        expect(url.hostname).toBe('127.0.0.1');
        expect((await fetch(url)).status, 'the link still downloads after the delete').toBe(404);
      } else {
        outcomes.deleteFirst++;
        expect(errorShapeProblem(link.status, link.body)).toBeNull();
        expect(json(link).error.code).toBe('conflict');
      }
      expect((await store().get(id))?.status).toBe('DELETED');
      await expect(
        s3.send(new HeadObjectCommand({ Bucket: bucketName(), Key: objectKey })),
      ).rejects.toThrow();
      const later = await send(api.url, jsonRequest('POST', `/v1/recordings/${id}/links`, key, {}));
      expect(later.status).toBe(409);
    }
    console.log('delete racing link creation, outcomes of 10 pairs:', outcomes);
  });

  it("stop racing the recorder's move to UPLOADING: the recorder's transition always lands, the stop is 202 exactly when it was recorded", async () => {
    const outcomes: Record<string, number> = {};
    for (let round = 0; round < 30; round++) {
      const id = await recordingIn(api.url, key, 'RECORDING');
      // Staggered by 0-58 ms (a stop takes tens of milliseconds here) so that the stop lands before the
      // move, between the stop's read and its write, or after it.
      const [stop, transition] = await Promise.allSettled([
        send(api.url, jsonRequest('POST', `/v1/recordings/${id}/stop`, key)),
        sleep(round * 2).then(() =>
          store().transition(id, 'UPLOADING', {
            stoppedAt: new Date().toISOString(),
            stopReason: 'max_duration',
          }),
        ),
      ]);
      expect(transition.status).toBe('fulfilled');
      expect(stop.status).toBe('fulfilled');
      const answer = (stop as PromiseFulfilledResult<RawResponse>).value;
      expect([200, 202]).toContain(answer.status);
      const seen = json(answer).status as string;
      const stored = (await store().get(id))!;
      expect(stored.status).toBe('UPLOADING');
      expect(stored.stopReason).toBe('max_duration');
      expect(stored.stopRequestedAt !== null, `stop answered ${answer.status}`).toBe(answer.status === 202);
      if (answer.status === 200) expect(seen).toBe('UPLOADING');
      outcomes[`${answer.status} ${seen}`] = (outcomes[`${answer.status} ${seen}`] ?? 0) + 1;
    }
    console.log('stop racing UPLOADING, outcomes of 30 rounds:', outcomes);
  });
});
