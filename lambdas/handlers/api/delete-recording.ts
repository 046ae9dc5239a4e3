import { apiHandler } from '../../http/api-handler.js';
import { recordingIdParameter } from '../../http/path.js';
import { recordingService } from '../../recordings/service-from-env.js';

export const handler = apiHandler({ authorized: true }, async (request) => {
  await recordingService().delete(request.clientId, recordingIdParameter(request.event));
  return { statusCode: 204 };
});
