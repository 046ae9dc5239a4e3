/**
 * The error codes of the public contract (shared/API.md, "Conventions") and the status each answers with.
 * `gone` is not in the contract's list; the contract names status 410 only for GET /v1/links/{token}.
 */
export const CONTRACT_ERROR_STATUS: Readonly<Record<string, number>> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  validation_failed: 400,
  meeting_already_recording: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

const LINK_ROUTE_ERROR_STATUS: Readonly<Record<string, number>> = { ...CONTRACT_ERROR_STATUS, gone: 410 };

const ERROR_KEYS = new Set(['code', 'message', 'details']);

/**
 * Why a non-2xx answer breaks the contract's error shape `{ error: { code, message, details? } }`, or null
 * when it is exactly that shape with a listed code and the code's status.
 */
export function errorShapeProblem(status: number, body: Buffer, options: { linkRoute?: boolean } = {}) {
  const codes = options.linkRoute ? LINK_ROUTE_ERROR_STATUS : CONTRACT_ERROR_STATUS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return `body is not JSON: ${JSON.stringify(body.toString('utf8').slice(0, 200))}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'body is not an object';
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== 'error') return `body has keys ${JSON.stringify(keys)}`;
  const error = (parsed as { error: unknown }).error;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return 'error is not an object';
  const extra = Object.keys(error).filter((key) => !ERROR_KEYS.has(key));
  if (extra.length > 0) return `error has extra keys ${JSON.stringify(extra)}`;
  const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof code !== 'string' || !(code in codes)) return `unknown code ${JSON.stringify(code)}`;
  if (codes[code] !== status) return `code ${code} answered with status ${status}`;
  if (typeof message !== 'string' || message.length === 0) return 'message is not a non-empty string';
  if (details !== undefined && !Array.isArray(details)) return 'details is not an array';
  return null;
}
