import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ALLOWED_SOURCES, type RecordingStatus, type StopReason } from '../../lambdas/domain/recording.js';
import { errorMessage, log } from './log.js';
import { publicMessage } from './public-message.js';

/** What the recorder hands the workflow on success (docs/internals.md, "The recorder"). */
export interface RecorderReport {
  objectKey: string;
  sizeBytes: number;
  durationSeconds: number;
  partial: boolean;
  stopReason: StopReason;
  file: { videoCodec: string | null; audioCodec: string | null; width: number | null; height: number | null };
  checks: { blackVideo: boolean; silentAudio: boolean };
}

/** Everything the recorder tells the outside world. */
export interface Reporter {
  recording(startedAt: string, taskArn: string | undefined): Promise<void>;
  warning(secondsLeft: number): Promise<void>;
  uploading(stoppedAt: string, stopReason: StopReason, partial: boolean): Promise<void>;
  /** True once the stop route has asked for a stop. */
  stopRequested(): Promise<boolean>;
  /** False when the workflow no longer waits for this task (timed out, token invalid). */
  heartbeat(): Promise<boolean>;
  succeeded(report: RecorderReport): Promise<void>;
  failed(code: string, message: string): Promise<void>;
}

interface StatusWriter {
  transition(to: RecordingStatus, fields: Record<string, unknown>): Promise<void>;
  setWarning(secondsLeft: number): Promise<void>;
  stopRequested(): Promise<boolean>;
}

interface TaskCallbacks {
  heartbeat(): Promise<boolean>;
  succeeded(report: RecorderReport): Promise<void>;
  failed(code: string, message: string): Promise<void>;
}

const noStatus: StatusWriter = {
  transition: async () => undefined,
  setWarning: async () => undefined,
  stopRequested: async () => false,
};

const noCallbacks: TaskCallbacks = {
  heartbeat: async () => true,
  succeeded: async () => undefined,
  failed: async () => undefined,
};

/** A request that never answers ends as a timeout, and is retried by the SDK, instead of stalling a timer. */
function timeouts(callTimeoutMs: number) {
  return {
    requestHandler: {
      connectionTimeout: Math.min(callTimeoutMs, 5000),
      requestTimeout: callTimeoutMs,
      // Without it, a request past its timeout only logs a warning and goes on waiting.
      throwOnRequestTimeout: true,
    },
  };
}

function dynamoStatus(tableName: string, recordingId: string, callTimeoutMs: number): StatusWriter {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(timeouts(callTimeoutMs)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const key = { pk: `REC#${recordingId}`, sk: 'REC' };
  return {
    async transition(to, fields) {
      const sources = ALLOWED_SOURCES[to];
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = { ':to': to };
      const sets = ['#status = :to'];
      for (const [index, [field, value]] of Object.entries(fields).entries()) {
        if (value === undefined) continue;
        names[`#f${index}`] = field;
        values[`:f${index}`] = value;
        sets.push(`#f${index} = :f${index}`);
      }
      sources.forEach((source, index) => {
        values[`:s${index}`] = source;
      });
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `#status IN (${sources.map((_, index) => `:s${index}`).join(', ')})`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        log('status_written', { status: to });
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        log('status_not_written', { status: to, reason: 'the recording is not in a state that allows it' });
      }
    },
    async setWarning(secondsLeft) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET lastWarningSeconds = :left',
            ConditionExpression:
              '#status = :recording AND (attribute_not_exists(lastWarningSeconds) OR lastWarningSeconds = :null OR lastWarningSeconds > :left)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':left': secondsLeft, ':recording': 'RECORDING', ':null': null },
          }),
        );
        log('warning_written', { secondsLeft });
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async stopRequested() {
      const answer = await documents.send(
        new GetCommand({ TableName: tableName, Key: key, ProjectionExpression: 'stopRequestedAt' }),
      );
      const requested = answer.Item?.['stopRequestedAt'];
      return typeof requested === 'string' && requested !== '';
    },
  };
}

function stepFunctionsCallbacks(taskToken: string, callTimeoutMs: number): TaskCallbacks {
  const sfn = new SFNClient({ ...timeouts(callTimeoutMs), maxAttempts: 5 });
  return {
    async heartbeat() {
      try {
        await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
        return true;
      } catch (error) {
        if (
          error instanceof TaskTimedOut ||
          error instanceof InvalidToken ||
          error instanceof TaskDoesNotExist
        ) {
          log('task_gone', { error: errorMessage(error) });
          return false;
        }
        throw error;
      }
    },
    async succeeded(report) {
      await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(report) }));
    },
    async failed(code, message) {
      await sfn.send(
        new SendTaskFailureCommand({ taskToken, error: `Recorder.${code}`, cause: message.slice(0, 32_000) }),
      );
    },
  };
}

/**
 * The one place that decides what is reported: without TABLE_NAME no status writes, without
 * TASK_TOKEN no Step Functions callbacks (the recorder then runs standalone, as in its tests).
 */
export function createReporter(settings: {
  tableName: string | undefined;
  taskToken: string | undefined;
  recordingId: string;
  /** Per-request timeout of every call (default 10 s). */
  callTimeoutMs?: number;
  /** The meeting's host may appear in failure messages; no other host or address does. */
  meetingUrl?: string;
}): Reporter {
  const callTimeoutMs = settings.callTimeoutMs ?? 10_000;
  const status = settings.tableName
    ? dynamoStatus(settings.tableName, settings.recordingId, callTimeoutMs)
    : noStatus;
  const callbacks = settings.taskToken
    ? stepFunctionsCallbacks(settings.taskToken, callTimeoutMs)
    : noCallbacks;
  return {
    recording: (startedAt, taskArn) => status.transition('RECORDING', { startedAt, taskArn }),
    warning: (secondsLeft) => status.setWarning(secondsLeft),
    uploading: (stoppedAt, stopReason, partial) =>
      status.transition('UPLOADING', { stoppedAt, stopReason, partial }),
    stopRequested: () => status.stopRequested(),
    heartbeat: () => callbacks.heartbeat(),
    succeeded: async (report) => {
      log('task_succeeded', { report });
      await callbacks.succeeded(report);
    },
    failed: async (code, message) => {
      const cause = publicMessage(message, settings.meetingUrl);
      log('task_failed', { error: `Recorder.${code}`, cause, detail: message });
      await callbacks.failed(code, cause);
    },
  };
}
