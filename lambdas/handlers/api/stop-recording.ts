import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { recordingIdParameter } from '../../http/path.js';
import { StopRecordingRequestSchema } from '../../http/schemas.js';
import { recordingService, storeFromEnv } from '../../recordings/service-from-env.js';

export const handler = apiHandler(
  { authorized: true, idempotency: storeFromEnv(), body: StopRecordingRequestSchema },
  async (request) => {
    const { statusCode, recording } = await recordingService().stop(
      request.clientId,
      recordingIdParameter(request.event),
      request.body,
    );
    return jsonResponse(statusCode, recording);
  },
);
