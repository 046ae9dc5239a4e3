import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { StartRecordingRequestSchema } from '../../http/schemas.js';
import { logger } from '../../observability.js';
import { recordingService } from '../../recordings/service-from-env.js';

export const handler = apiHandler(
  { authorized: true, body: StartRecordingRequestSchema },
  async (request) => {
    const { statusCode, recording } = await recordingService().start(
      request.clientId,
      request.body,
      request.header('idempotency-key'),
    );
    logger.appendKeys({ recordingId: recording.id });
    logger.info('Recording accepted', { meetingId: recording.meetingId });
    return jsonResponse(statusCode, recording, { location: `/v1/recordings/${recording.id}` });
  },
);
