import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { recordingIdParameter } from '../../http/path.js';
import { CreateLinkRequestSchema } from '../../http/schemas.js';
import { recordingService, storeFromEnv } from '../../recordings/service-from-env.js';

const DEFAULT_LINK_SECONDS = 604_800;

export const handler = apiHandler(
  { authorized: true, idempotency: storeFromEnv(), body: CreateLinkRequestSchema },
  async (request) => {
    const link = await recordingService().createLink(
      request.clientId,
      recordingIdParameter(request.event),
      request.body.expiresInSeconds ?? DEFAULT_LINK_SECONDS,
    );
    return jsonResponse(201, link);
  },
);
