import { toView } from '../../domain/recording.js';
import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { ListRecordingsQuerySchema } from '../../http/schemas.js';
import { cursorCodecFromEnv, storeFromEnv } from '../../recordings/service-from-env.js';

const store = storeFromEnv();
const cursors = cursorCodecFromEnv();

export const handler = apiHandler({ authorized: true, query: ListRecordingsQuerySchema }, async (request) => {
  const { meetingId, status, limit, cursor } = request.query;
  // A cursor continues only the query that produced it, for the client that asked.
  const scope = JSON.stringify([request.clientId, meetingId ?? null, status ?? null]);
  const after = cursor ? await cursors.decode(cursor, scope) : undefined;
  const page = await store.list({ clientId: request.clientId, meetingId, status, limit, after });
  return jsonResponse(200, {
    items: page.items.map(toView),
    nextCursor: page.lastKey ? await cursors.encode(page.lastKey, scope) : null,
  });
});
