import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { BULK_DELETE_LIMIT, BulkDeleteRequestSchema } from '../../http/schemas.js';
import { recordingService, storeFromEnv } from '../../recordings/service-from-env.js';

export const handler = apiHandler(
  { authorized: true, idempotency: storeFromEnv(), body: BulkDeleteRequestSchema },
  async (request) =>
    jsonResponse(200, {
      results: await recordingService().bulkDelete(request.clientId, request.body, BULK_DELETE_LIMIT),
    }),
);
