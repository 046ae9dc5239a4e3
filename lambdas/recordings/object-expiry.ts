import { IllegalTransitionError } from '../domain/errors.js';
import type { RecordingStore } from '../store/recording-store.js';

/** What S3 sends to EventBridge when a lifecycle rule expires an object (the fields used here). */
export interface ObjectDeletedEvent {
  readonly source: 'aws.s3';
  readonly 'detail-type': 'Object Deleted';
  readonly time: string;
  readonly detail: {
    readonly bucket: { readonly name: string };
    readonly object: { readonly key: string };
    readonly reason: string;
    readonly 'deletion-type'?: string;
    readonly requester?: string;
  };
}

export const LIFECYCLE_EXPIRATION = 'Lifecycle Expiration';

/** The event S3 publishes for a lifecycle expiration; local mode's lifecycle job sends the same. */
export function lifecycleExpirationEvent(bucket: string, key: string, at: Date): ObjectDeletedEvent {
  return {
    source: 'aws.s3',
    'detail-type': 'Object Deleted',
    time: at.toISOString(),
    detail: {
      bucket: { name: bucket },
      object: { key },
      reason: LIFECYCLE_EXPIRATION,
      'deletion-type': 'Permanently Deleted',
      requester: 's3.amazonaws.com',
    },
  };
}

const RECORDING_ID = /^rec_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * `recordings/<client>/<meeting>/<recording id>/<file>` → the recording id. Only `/` and the id are read,
 * neither of which URL encoding changes, so the key may come encoded (S3 notifications) or not.
 */
export function recordingIdOfKey(key: string): string | undefined {
  const segments = key.split('/');
  return segments[0] === 'recordings' && segments.length >= 5 && RECORDING_ID.test(segments[3] ?? '')
    ? segments[3]
    : undefined;
}

export type ExpiryOutcome = 'deleted' | 'unchanged' | 'ignored';

/**
 * The lifecycle rule has deleted a recording's file: the recording becomes DELETED (which fires
 * `recording.deleted` through the table stream). A repeat, or a recording already gone, changes nothing.
 */
export async function expireRecording(
  store: RecordingStore,
  event: ObjectDeletedEvent,
): Promise<ExpiryOutcome> {
  if (event.detail.reason !== LIFECYCLE_EXPIRATION) return 'ignored';
  const id = recordingIdOfKey(event.detail.object.key);
  if (!id) return 'ignored';
  try {
    await store.transition(id, 'DELETED');
    return 'deleted';
  } catch (error) {
    if (error instanceof IllegalTransitionError) return 'unchanged';
    throw error;
  }
}
