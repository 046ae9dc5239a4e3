/**
 * The deliver function's time budget, shared by the stack and local mode. Every delivery of a batch runs
 * at once with its own timeout, so one endpoint that never answers costs the batch one timeout, never
 * the function's: the healthy deliveries are acknowledged and only that endpoint's messages come back.
 */
export const WEBHOOK_FUNCTION_TIMEOUT_SECONDS = 15;
/** One POST to a client's endpoint. */
export const WEBHOOK_DELIVERY_TIMEOUT_MS = 8_000;
/** Kept free at the end of an invocation to return the failed messages (ChangeMessageVisibility). */
export const WEBHOOK_RETURN_RESERVE_MS = 3_000;
/** A request to SQS that does not answer in this time is abandoned (the message comes back anyway). */
export const WEBHOOK_SQS_REQUEST_TIMEOUT_MS = 2_000;

/** Backoff between attempts of one message: 10 s, 20 s, 40 s … capped at 15 minutes. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(900, 10 * 2 ** Math.max(0, attempt - 1));
}
