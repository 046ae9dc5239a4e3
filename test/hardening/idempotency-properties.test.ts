import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBody } from '../support/api-env.js';
import { createApiKey } from '../support/api-keys.js';
import { uniqueClientId } from '../support/table.js';
import { type ApiUnderTest, startApiUnderTest } from './support/api-under-test.js';
import { errorShapeProblem } from './support/contract.js';
import { closeConnections, type RawResponse, send } from './support/http-client.js';
import { uniqueMeetingId } from './support/world.js';

const RUNS = 60;
const SEED = Number(process.env.HARDENING_FUZZ_SEED ?? Date.now() % 2 ** 31);

let api: ApiUnderTest;
let key: string;

beforeAll(async () => {
  api = await startApiUnderTest();
  key = (await createApiKey({ clientId: uniqueClientId('idem') })).key;
});

afterAll(async () => {
  closeConnections();
  await api.stop();
});

/** The same JSON value with its object keys in another order and other whitespace. */
function reshaped(value: unknown, reverse: boolean, indent: number): string {
  const reorder = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(reorder);
    if (item && typeof item === 'object') {
      const entries = Object.entries(item).map(([k, v]) => [k, reorder(v)] as const);
      return Object.fromEntries(reverse ? entries.reverse() : entries);
    }
    return item;
  };
  return JSON.stringify(reorder(value), null, indent);
}

const post = (body: string, idempotencyKey: string) =>
  send(api.url, {
    method: 'POST',
    target: '/v1/recordings',
    headers: [
      ['authorization', `Bearer ${key}`],
      ['content-type', 'application/json'],
      ['idempotency-key', idempotencyKey],
    ],
    body: Buffer.from(body),
  });

const json = (answer: RawResponse) => JSON.parse(answer.body.toString('utf8'));

describe('Idempotency-Key', () => {
  it('replays the first answer for the same body however it is spelled, and refuses another body with 409', async () => {
    console.log(`idempotency properties: seed ${SEED}`);
    const printable = fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 255,
    });
    await fc.assert(
      fc.asyncProperty(
        printable,
        fc.record({
          meetingTitle: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 }), {
            nil: undefined,
          }),
          format: fc.constantFrom('mp4', 'mkv'),
          maxDurationSeconds: fc.integer({ min: 10, max: 3600 }),
        }),
        fc.boolean(),
        fc.integer({ min: 0, max: 4 }),
        async (keySuffix, fields, reverse, indent) => {
          const idempotencyKey = `${uniqueMeetingId('k')}-${keySuffix}`.slice(0, 255);
          const body = startBody({ meetingId: uniqueMeetingId('idem'), ...fields });
          const first = await post(JSON.stringify(body), idempotencyKey);
          expect(first.status).toBe(202);
          const again = await post(reshaped(body, reverse, indent), idempotencyKey);
          expect(again.status).toBe(202);
          expect(json(again)).toEqual(json(first));
          const other = await post(
            JSON.stringify({ ...body, maxDurationSeconds: fields.maxDurationSeconds === 10 ? 11 : 10 }),
            idempotencyKey,
          );
          expect(other.status).toBe(409);
          expect(errorShapeProblem(other.status, other.body)).toBeNull();
          expect(json(other).error.code).toBe('conflict');
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
