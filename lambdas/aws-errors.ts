const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
  'SlowDown',
]);
const TRANSIENT_NAMES = new Set([
  ...THROTTLING_NAMES,
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'TransactionConflictException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** Why DynamoDB cancels a transaction when the cause is load, not a failed condition. */
const TRANSIENT_CANCELLATIONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

interface SdkLikeError {
  name?: string;
  CancellationReasons?: { Code?: string }[];
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/**
 * Whether an error of an AWS call (DynamoDB, S3, SES, Step Functions) or of the network under it can
 * heal by itself: throttling, a 5xx, a timeout or a connection that failed. A verdict of the service
 * (404, a failed condition, a rejected address) cannot.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $retryable, $metadata, cause, CancellationReasons } = error as SdkLikeError;
  if ($retryable) return true;
  if (CancellationReasons?.some((reason) => TRANSIENT_CANCELLATIONS.has(reason.Code ?? ''))) return true;
  if (($metadata?.httpStatusCode ?? 0) >= 500 || $metadata?.httpStatusCode === 429) return true;
  if (name && TRANSIENT_NAMES.has(name)) return true;
  if (code && NETWORK_CODES.has(code)) return true;
  return cause !== undefined && cause !== error && isTransientAwsError(cause);
}

/** Whether the service said "not so fast" (by name or HTTP 429): a transient error that wants backoff. */
export function isThrottlingAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as SdkLikeError;
  return $metadata?.httpStatusCode === 429 || (name !== undefined && THROTTLING_NAMES.has(name));
}
