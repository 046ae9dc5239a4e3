import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { recordingIdParameter } from '../../http/path.js';
import { recordingService } from '../../recordings/service-from-env.js';

export const handler = apiHandler({ authorized: true }, async (request) =>
  jsonResponse(200, await recordingService().get(request.clientId, recordingIdParameter(request.event))),
);
