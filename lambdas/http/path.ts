import { notFound } from '../domain/errors.js';
import type { ApiEvent } from './api-handler.js';
import { RECORDING_ID_PATTERN } from './schemas.js';

/** The `{id}` of the path; an id that cannot exist answers 404 like one that does not. */
export function recordingIdParameter(event: ApiEvent): string {
  const id = event.pathParameters?.id ?? '';
  if (!RECORDING_ID_PATTERN.test(id)) throw notFound();
  return id;
}
