import { ApiError } from '../../domain/errors.js';
import { apiHandler } from '../../http/api-handler.js';

/** API Gateway's `$default` route: any other method or path answers the contract's 404, not the gateway's. */
export const handler = apiHandler({ authorized: false }, async (request) => {
  throw new ApiError(
    'not_found',
    `No route ${request.event.requestContext.http.method} ${request.event.rawPath}.`,
  );
});
