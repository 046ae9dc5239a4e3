import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { CreateArchiveRequestSchema } from '../../http/schemas.js';
import { archiveServiceFromEnv, storeFromEnv } from '../../recordings/service-from-env.js';

export const handler = apiHandler(
  { authorized: true, idempotency: storeFromEnv(), body: CreateArchiveRequestSchema },
  async (request) => {
    const { statusCode, archive } = await archiveServiceFromEnv().request(request.clientId, request.body.ids);
    return jsonResponse(statusCode, archive);
  },
);
