import type { Recording } from '../domain/recording.js';

export interface LinkLifetime {
  /** Seconds the link may live: the requested lifetime, or less if the file is deleted sooner. */
  readonly seconds: number;
  /** The recording's retention ends before the requested lifetime would. */
  readonly cappedByRetention: boolean;
}

/**
 * A link never outlives its file: the lifecycle rule deletes it from `expiresAt` on (S3 counts from the
 * object's creation, which is later still). Undefined when the recording has already reached `expiresAt`.
 */
export function linkLifetime(
  recording: Recording,
  requestedSeconds: number,
  now: Date,
): LinkLifetime | undefined {
  const remaining = Math.floor((Date.parse(recording.expiresAt) - now.getTime()) / 1000);
  if (!(remaining > 0)) return undefined;
  return remaining < requestedSeconds
    ? { seconds: remaining, cappedByRetention: true }
    : { seconds: requestedSeconds, cappedByRetention: false };
}
