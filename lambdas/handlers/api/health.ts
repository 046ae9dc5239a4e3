import { env } from '../../config.js';
import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';

export const handler = apiHandler({ authorized: false }, async () =>
  jsonResponse(200, { status: 'ok', version: env('APP_VERSION') }),
);
