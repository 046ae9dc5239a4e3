import { createHash } from 'node:crypto';
import { ApiError, notFound } from '../domain/errors.js';
import { type MeetingUrlPolicy, meetingUrlProblem } from '../domain/meeting-url.js';
import { newRecordingId, recordingFileName, recordingPrefix } from '../domain/names.js';
import { isLive, type Recording, type RecordingView, toView } from '../domain/recording.js';
import { canonicalJson, checkIdempotencyKey } from '../http/idempotency.js';
import {
  type BulkDeleteRequest,
  RECORDING_ID_PATTERN,
  type StartRecordingRequest,
  type StopRecordingRequest,
} from '../http/schemas.js';
import { linkLifetime } from '../links/link-lifetime.js';
import { logger } from '../observability.js';
import { IdempotencyKeyInUseError, type RecordingStore } from '../store/recording-store.js';

/** What the workflow execution of one recording starts from (see docs/internals.md). */
export interface WorkflowInput {
  recordingId: string;
  clientId: string;
  objectKey: string;
  meetingUrl: string;
  maxDurationSeconds: number;
  resolution: string;
  format: string;
  /** Step Functions' timeout for the recorder task: the maximum duration plus time to finalise. */
  timeoutSeconds: number;
}

export interface WorkflowStarter {
  /** Resolves once the execution exists; rejects when it surely does not (WorkflowStartUnknownError: unsure). */
  start(input: WorkflowInput): Promise<void>;
}

/** Step Functions gave no clear answer and could not be asked again: the execution may be running. */
export class WorkflowStartUnknownError extends Error {
  override name = 'WorkflowStartUnknownError';

  constructor(
    readonly recordingId: string,
    override readonly cause: unknown,
  ) {
    super(`Could not tell whether the workflow of ${recordingId} started`);
  }
}

export interface ObjectRemover {
  remove(key: string): Promise<void>;
}

export interface IssuedLink {
  url: string;
  expiresAt: string;
}

/** The answer of `POST …/links`: the link, and whether the recording's retention shortened it. */
export interface CreatedLink extends IssuedLink {
  cappedByRetention: boolean;
}

export interface LinkIssuer {
  issue(recording: Recording, expiresInSeconds: number, now: Date): Promise<IssuedLink>;
}

export interface RecordingServiceSettings {
  readonly meetingUrlPolicy: MeetingUrlPolicy;
  /** The deployment's cap on `maxDurationSeconds`, also its default. */
  readonly maxDurationSeconds: number;
  readonly retentionDays: number;
  /** Seconds the recorder may take past its maximum duration to finalise before the workflow stops it. */
  readonly finaliseGraceSeconds: number;
}

export interface StartResult {
  statusCode: number;
  recording: RecordingView;
}

const BULK_DELETE_CONCURRENCY = 8;

export interface BulkDeleteOutcome {
  id: string;
  status: 204 | 404 | 409;
}

/** The use cases of the API, over a store and the workflow; handlers only translate HTTP. */
export class RecordingService {
  constructor(
    private readonly store: RecordingStore,
    private readonly workflow: WorkflowStarter,
    private readonly objects: ObjectRemover,
    private readonly links: LinkIssuer,
    private readonly settings: RecordingServiceSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async start(
    clientId: string,
    request: StartRecordingRequest,
    idempotencyKey?: string,
  ): Promise<StartResult> {
    checkIdempotencyKey(idempotencyKey);
    const requestHash = createHash('sha256').update(canonicalJson(request)).digest('hex');
    if (idempotencyKey) {
      const replay = await this.replay(clientId, idempotencyKey, requestHash);
      if (replay) return replay;
    }
    this.validateStart(request);
    if (request.continuationOf) await this.checkContinuation(clientId, request);

    const recording = this.newRecording(clientId, request);
    const result: StartResult = { statusCode: 202, recording: toView(recording) };
    const idempotency = idempotencyKey
      ? {
          key: idempotencyKey,
          requestHash,
          statusCode: result.statusCode,
          body: JSON.stringify(result.recording),
        }
      : undefined;
    try {
      await this.store.create(recording, idempotency);
    } catch (error) {
      if (error instanceof IdempotencyKeyInUseError && idempotencyKey) {
        const replay = await this.replay(clientId, idempotencyKey, requestHash);
        if (replay) return replay;
      }
      throw error;
    }
    try {
      await this.workflow.start({
        recordingId: recording.id,
        clientId,
        objectKey: recording.objectKey,
        meetingUrl: recording.meetingUrl,
        maxDurationSeconds: recording.maxDurationSeconds,
        resolution: recording.resolution,
        format: recording.format,
        timeoutSeconds: recording.maxDurationSeconds + this.settings.finaliseGraceSeconds,
      });
    } catch (error) {
      // Discarding a recording whose execution may run would lose what it records: keep it, and let the
      // reconciler settle it (it drives a recording without a running execution to its end).
      if (error instanceof WorkflowStartUnknownError) {
        logger.warn('Recording kept though its workflow start is unclear', {
          recordingId: recording.id,
          error,
        });
        return result;
      }
      await this.store.discard(recording, idempotencyKey);
      throw new ApiError(
        'unavailable',
        'The recorder could not be started; nothing was recorded. Retry shortly.',
        [{ reason: (error as Error).name }],
      );
    }
    return result;
  }

  async get(clientId: string, id: string): Promise<RecordingView> {
    return toView(await this.owned(clientId, id));
  }

  async stop(clientId: string, id: string, request: StopRecordingRequest): Promise<StartResult> {
    const recording = await this.owned(clientId, id);
    const by = request.requestedBy;
    if (by) {
      const isHost =
        'userId' in by
          ? recording.host.userId !== undefined && by.userId === recording.host.userId
          : by.email.toLowerCase() === recording.host.email.toLowerCase();
      if (!isHost) throw new ApiError('forbidden', 'Only the host of the meeting may stop its recording.');
    }
    if (!isLive(recording.status)) return { statusCode: 200, recording: toView(recording) };
    const outcome = await this.store.requestStop(id, this.clock().toISOString());
    return { statusCode: outcome.requested ? 202 : 200, recording: toView(outcome.recording) };
  }

  async delete(clientId: string, id: string): Promise<void> {
    const recording = await this.owned(clientId, id);
    if (recording.status === 'DELETED') return;
    if (isLive(recording.status)) {
      throw new ApiError(
        'conflict',
        `The recording is ${recording.status}; stop it and wait until it is UPLOADED.`,
      );
    }
    await this.objects.remove(recording.objectKey);
    try {
      await this.store.transition(id, 'DELETED');
    } catch (error) {
      const current = await this.store.get(id);
      if (current?.status !== 'DELETED') throw error;
    }
  }

  /**
   * Deletes each recording asked for (or a meeting's, newest first, up to `limit`) as DELETE would, and
   * reports each one's outcome. Repeating it deletes nothing twice: a deleted recording answers 204 again.
   */
  async bulkDelete(
    clientId: string,
    request: BulkDeleteRequest,
    limit: number,
  ): Promise<BulkDeleteOutcome[]> {
    const ids =
      'ids' in request
        ? [...new Set(request.ids)]
        : await this.meetingRecordingIds(clientId, request.meetingId, limit);
    const outcomes: BulkDeleteOutcome[] = [];
    // A few at a time: 100 one after another could outlast the function's timeout.
    for (let start = 0; start < ids.length; start += BULK_DELETE_CONCURRENCY) {
      const batch = ids.slice(start, start + BULK_DELETE_CONCURRENCY);
      outcomes.push(...(await Promise.all(batch.map((id) => this.deleteOutcome(clientId, id)))));
    }
    return outcomes;
  }

  private async deleteOutcome(clientId: string, id: string): Promise<BulkDeleteOutcome> {
    if (!RECORDING_ID_PATTERN.test(id)) return { id, status: 404 };
    try {
      await this.delete(clientId, id);
      return { id, status: 204 };
    } catch (error) {
      if (!(error instanceof ApiError) || (error.code !== 'not_found' && error.code !== 'conflict'))
        throw error;
      return { id, status: error.status as 404 | 409 };
    }
  }

  private async meetingRecordingIds(clientId: string, meetingId: string, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const page = await this.store.list({ clientId, meetingId, limit, after });
      ids.push(
        ...page.items.filter((recording) => recording.status !== 'DELETED').map((recording) => recording.id),
      );
      after = page.lastKey;
    } while (after && ids.length < limit);
    return ids.slice(0, limit);
  }

  async createLink(clientId: string, id: string, expiresInSeconds: number): Promise<CreatedLink> {
    const recording = await this.owned(clientId, id);
    if (recording.status !== 'UPLOADED') {
      throw new ApiError(
        'conflict',
        `The recording is ${recording.status}; links exist only once it is UPLOADED.`,
      );
    }
    const now = this.clock();
    const lifetime = linkLifetime(recording, expiresInSeconds, now);
    if (!lifetime) {
      throw new ApiError(
        'conflict',
        `The recording's retention ended at ${recording.expiresAt}; its file is being deleted, so no new link can be made.`,
      );
    }
    const link = await this.links.issue(recording, lifetime.seconds, now);
    return { ...link, cappedByRetention: lifetime.cappedByRetention };
  }

  /** The recording when it exists and belongs to the client; otherwise the same 404 for both. */
  async owned(clientId: string, id: string): Promise<Recording> {
    const recording = await this.store.get(id);
    if (!recording || recording.clientId !== clientId) throw notFound();
    return recording;
  }

  private async replay(clientId: string, key: string, requestHash: string): Promise<StartResult | undefined> {
    const record = await this.store.findIdempotencyRecord(clientId, key);
    if (!record) return undefined;
    if (record.requestHash !== requestHash) {
      throw new ApiError('conflict', 'This Idempotency-Key was already used with a different request body.');
    }
    return { statusCode: record.statusCode, recording: JSON.parse(record.body) as RecordingView };
  }

  private validateStart(request: StartRecordingRequest): void {
    const problem = meetingUrlProblem(request.meetingUrl, this.settings.meetingUrlPolicy);
    if (problem) {
      throw new ApiError('validation_failed', `meetingUrl ${problem}.`, [
        { field: 'body.meetingUrl', message: problem },
      ]);
    }
    if (
      request.maxDurationSeconds !== undefined &&
      request.maxDurationSeconds > this.settings.maxDurationSeconds
    ) {
      const message = `must be at most ${this.settings.maxDurationSeconds} on this deployment`;
      throw new ApiError('validation_failed', `maxDurationSeconds ${message}.`, [
        { field: 'body.maxDurationSeconds', message },
      ]);
    }
  }

  private async checkContinuation(clientId: string, request: StartRecordingRequest): Promise<void> {
    const earlier = await this.store.get(request.continuationOf!);
    if (!earlier || earlier.clientId !== clientId || earlier.meetingId !== request.meetingId) {
      const message = 'must be the id of an earlier recording of the same meeting';
      throw new ApiError('validation_failed', `continuationOf ${message}.`, [
        { field: 'body.continuationOf', message },
      ]);
    }
  }

  private newRecording(clientId: string, request: StartRecordingRequest): Recording {
    const now = this.clock();
    const createdAt = now.toISOString();
    const id = newRecordingId();
    const format = request.format ?? 'mp4';
    const expiresAt = new Date(now.getTime() + this.settings.retentionDays * 86_400_000).toISOString();
    const fileName = recordingFileName({
      meetingTitle: request.meetingTitle ?? null,
      meetingId: request.meetingId,
      startedAt: createdAt,
      format,
    });
    return {
      id,
      clientId,
      meetingId: request.meetingId,
      meetingUrl: request.meetingUrl,
      meetingTitle: request.meetingTitle ?? null,
      host: request.host,
      status: 'INVOKED',
      stopReason: null,
      partial: false,
      maxDurationSeconds: request.maxDurationSeconds ?? this.settings.maxDurationSeconds,
      format,
      resolution: request.resolution ?? '720p',
      createdAt,
      startedAt: null,
      stoppedAt: null,
      uploadedAt: null,
      expiresAt,
      durationSeconds: null,
      file: null,
      email: null,
      continuationOf: request.continuationOf ?? null,
      error: null,
      objectKey: `${recordingPrefix(clientId, request.meetingId, id)}${fileName}`,
      stopRequestedAt: null,
      lastWarningSeconds: null,
      // The item outlives its file by 30 days, so that clients see it DELETED before it disappears.
      ttl: Math.floor(Date.parse(expiresAt) / 1000) + 30 * 86_400,
    };
  }
}
