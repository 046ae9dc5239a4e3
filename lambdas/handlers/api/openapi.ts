import { env } from '../../config.js';
import { apiHandler } from '../../http/api-handler.js';
import { jsonResponse } from '../../http/error-response.js';
import { openApiDocument } from '../../http/openapi.js';

export const handler = apiHandler({ authorized: false }, async () =>
  jsonResponse(200, openApiDocument(env('APP_VERSION')), { 'cache-control': 'public, max-age=300' }),
);
