import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { lifecycleExpirationEvent, type ObjectDeletedEvent } from '../lambdas/recordings/object-expiry.js';
import { RECORDINGS_PREFIX } from '../lib/storage-construct.js';
import { lambdaContext } from './api/lambda-context.js';

type ExpiryHandler = (event: ObjectDeletedEvent, context: Context) => Promise<unknown>;

export interface LocalLifecycleOptions {
  readonly bucketName: string;
  /** The deployment's retention: the rule expires objects under recordings/ this many days after creation. */
  readonly retentionDays: number;
  /** The rule's filter; @default recordings/ (tests narrow it to their own objects in a shared bucket) */
  readonly prefix?: string;
  /** How often the rule runs; 0 runs it only when asked (`run`). */
  readonly intervalMs: number;
  /** The time the rule sees (tests move it forward). */
  readonly clock?: () => Date;
  /** The EventBridge rule's target; defaults to lambdas/handlers/object-expired.ts, loaded on first use. */
  readonly handler?: ExpiryHandler;
  readonly log?: (line: string) => void;
}

export interface LifecycleRun {
  /** Keys of the objects this run deleted. */
  readonly expired: string[];
  /** Events whose delivery failed (they are sent again on the next run, as EventBridge retries). */
  readonly undelivered: number;
}

export interface LocalLifecycle {
  run(): Promise<LifecycleRun>;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** S3 expires an object at the first midnight UTC at least `days` after its creation. */
export function expiryTime(lastModified: Date, days: number): Date {
  return new Date(Math.ceil((lastModified.getTime() + days * DAY_MS) / DAY_MS) * DAY_MS);
}

/**
 * The recordings bucket's expiration rule, run against s3rver (which has no lifecycle): deletes each
 * object under recordings/ past its expiry and sends the handler the event S3 would send EventBridge.
 */
export function startLocalLifecycle(options: LocalLifecycleOptions): LocalLifecycle {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? (() => new Date());
  const s3 = new S3Client({ forcePathStyle: true });
  let loadedHandler: Promise<ExpiryHandler> | undefined;
  const handler = (): Promise<ExpiryHandler> => {
    if (options.handler) return Promise.resolve(options.handler);
    loadedHandler ??= import('../lambdas/handlers/object-expired.js').then(
      (module) => module.handler as unknown as ExpiryHandler,
    );
    return loadedHandler;
  };
  const pending: ObjectDeletedEvent[] = [];

  const expireDue = async (now: Date): Promise<string[]> => {
    const expired: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: options.bucketName,
          Prefix: options.prefix ?? RECORDINGS_PREFIX,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key || !object.LastModified) continue;
        if (expiryTime(object.LastModified, options.retentionDays) > now) continue;
        await s3.send(new DeleteObjectCommand({ Bucket: options.bucketName, Key: object.Key }));
        expired.push(object.Key);
        pending.push(lifecycleExpirationEvent(options.bucketName, object.Key, now));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return expired;
  };

  const deliverPending = async (): Promise<number> => {
    for (const event of pending.splice(0)) {
      try {
        await (await handler())(event, lambdaContext('local-object-expired', 30_000));
      } catch (error) {
        log(
          `lifecycle: expiry of ${event.detail.object.key} not delivered, retried next run: ${String(error)}`,
        );
        pending.push(event);
      }
    }
    return pending.length;
  };

  let running: Promise<LifecycleRun> | undefined;
  const run = (): Promise<LifecycleRun> => {
    running ??= (async () => {
      try {
        const expired = await expireDue(clock());
        const undelivered = await deliverPending();
        if (expired.length > 0) log(`lifecycle: expired ${expired.length} recording files`);
        return { expired, undelivered };
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const timer =
    options.intervalMs > 0
      ? setInterval(() => {
          run().catch((error: unknown) => log(`lifecycle: ${String(error)}`));
        }, options.intervalMs)
      : undefined;
  timer?.unref();

  return {
    run,
    stop: async () => {
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
      s3.destroy();
    },
  };
}
