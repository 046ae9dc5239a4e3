import type { Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Recording = components['schemas']['Recording'];
type Archive = components['schemas']['Archive'];
type ErrorBody = components['schemas']['Error'];

/** An answer of the API that is not the one asked for, with the contract's error code. */
export class RecordingsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly unknown[] = [],
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'RecordingsApiError';
  }

  static from(response: Response, body: unknown): RecordingsApiError {
    const error = (body as Partial<ErrorBody> | undefined)?.error;
    return new RecordingsApiError(
      response.status,
      error?.code ?? 'unexpected',
      error?.message ?? response.statusText,
      error?.details ?? [],
    );
  }
}

export interface WaitOptions {
  /** Give up after this long; 10 minutes by default. */
  readonly timeoutMs?: number;
  /** Between two reads; 1 s by default. */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

/** Answers worth asking again: throttling and a busy service (which says when in Retry-After). */
const TRANSIENT = new Set([429, 500, 502, 503, 504]);

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });

/**
 * Reads a recording until it reaches one of the statuses `until` lists, or `until` accepts it, and
 * returns it. Waiting for statuses, `ERRORED` and `DELETED` end the wait early, with the recording as it
 * is. Transient answers are asked again; any other error answer is thrown as a RecordingsApiError.
 */
export function waitForRecording(
  client: Client<paths>,
  id: string,
  until: readonly Recording['status'][] | ((recording: Recording) => boolean),
  options: WaitOptions = {},
): Promise<Recording> {
  const done =
    typeof until === 'function' ? until : (recording: Recording) => until.includes(recording.status);
  return poll(
    `Recording ${id}`,
    (signal) =>
      client.GET('/v1/recordings/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }),
    (recording) =>
      done(recording) ||
      (typeof until !== 'function' && (recording.status === 'ERRORED' || recording.status === 'DELETED')),
    options,
  );
}

/**
 * Reads an archive until it is built (`READY`, with a fresh `url`) or `FAILED`, and returns it;
 * transient answers are asked again, any other error answer is thrown as a RecordingsApiError.
 */
export function waitForArchive(
  client: Client<paths>,
  id: string,
  options: WaitOptions = {},
): Promise<Archive> {
  return poll(
    `Archive ${id}`,
    (signal) => client.GET('/v1/archives/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }),
    (archive) => archive.status !== 'PENDING',
    options,
  );
}

async function poll<T extends { status: string }>(
  what: string,
  read: (signal?: AbortSignal) => Promise<{ data?: T; error?: unknown; response: Response }>,
  done: (value: T) => boolean,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const interval = options.intervalMs ?? 1000;
  let last = 'no answer yet';
  for (;;) {
    const { data, error, response } = await read(options.signal);
    if (data) {
      if (done(data)) return data;
      last = `status ${data.status}`;
    } else if (!TRANSIENT.has(response.status)) {
      throw RecordingsApiError.from(response, error);
    } else {
      last = `answer ${response.status}`;
    }
    const retryAfter = Number(response.headers.get('retry-after')) * 1000;
    const wait = Math.max(interval, Number.isFinite(retryAfter) ? retryAfter : 0);
    if (Date.now() + wait > deadline) {
      throw new Error(`${what} did not get there within ${options.timeoutMs ?? 600_000} ms (${last})`);
    }
    await pause(wait, options.signal);
  }
}
