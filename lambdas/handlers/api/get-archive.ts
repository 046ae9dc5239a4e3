import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { archiveServiceFromEnv } from '../../recordings/service-from-env.js';

export const handler = apiHandler({ authorized: true }, async (request) =>
  jsonResponse(
    200,
    await archiveServiceFromEnv().get(request.clientId, request.event.pathParameters?.id ?? ''),
  ),
);
