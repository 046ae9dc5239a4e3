import { TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { errorResponse } from '../../lambdas/http/error-response.js';
import { RecordingService } from '../../lambdas/recordings/recording-service.js';
import { DynamoRecordingStore } from '../../lambdas/store/dynamo-recording-store.js';
import { startBody } from '../support/api-env.js';
import { uploadedRecording } from '../support/recordings.js';
import { errorShapeProblem } from './support/contract.js';

/**
 * DynamoDB Local runs transactions one at a time, so racing requests never meet there. DynamoDB does not: a
 * write to an item that another transaction is changing fails with TransactionConflict (inside a
 * transaction, as a cancellation reason) or TransactionConflictException (a single write). These tests give
 * the real store and service exactly those answers and check what the client would receive.
 */
const conflictingTransaction = () =>
  new TransactionCanceledException({
    message:
      'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
    $metadata: {},
    CancellationReasons: [
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ],
  });

function dynamoDuringARace(answers: { get?: Record<string, unknown>; transact?: Error; update?: Error }) {
  const documents = {
    send: async (command: unknown) => {
      if (command instanceof GetCommand) return { Item: answers.get };
      if (command instanceof TransactWriteCommand && answers.transact) throw answers.transact;
      if (command instanceof UpdateCommand && answers.update) throw answers.update;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return new DynamoRecordingStore(documents, 'recordings');
}

function service(store: DynamoRecordingStore) {
  return new RecordingService(
    store,
    { start: async () => {} },
    { remove: async () => {} },
    { issue: async () => ({ url: 'https://x', expiresAt: new Date().toISOString() }) },
    {
      meetingUrlPolicy: { allowedOrigins: ['meet.example.com'], allowLoopbackHttp: false },
      maxDurationSeconds: 3600,
      retentionDays: 30,
      finaliseGraceSeconds: 300,
    },
  );
}

async function answerTo(call: () => Promise<unknown>) {
  try {
    await call();
    return { statusCode: 200, body: '' };
  } catch (error) {
    const response = errorResponse(error);
    return { statusCode: response.statusCode ?? 0, body: String(response.body) };
  }
}

describe('racing requests as DynamoDB answers them', () => {
  it('a start that meets another start of the same meeting in flight answers 409 or a retryable 503, never 500', async () => {
    const store = dynamoDuringARace({ transact: conflictingTransaction() });
    const answer = await answerTo(() => service(store).start('acme', startBody()));
    expect([409, 503], answer.body).toContain(answer.statusCode);
    expect(errorShapeProblem(answer.statusCode, Buffer.from(answer.body))).toBeNull();
  });

  it("a stop that meets the recorder's status transaction in flight answers 202, 200 or a retryable 503, never 500", async () => {
    const recording = uploadedRecording({ clientId: 'acme', status: 'RECORDING', stopRequestedAt: null });
    const store = dynamoDuringARace({
      get: { pk: `REC#${recording.id}`, sk: 'REC', type: 'recording', ...recording },
      update: new TransactionConflictException({
        message: 'Transaction is ongoing for the item',
        $metadata: {},
      }),
    });
    const answer = await answerTo(() => service(store).stop('acme', recording.id, {}));
    expect([200, 202, 503], answer.body).toContain(answer.statusCode);
  });
});
