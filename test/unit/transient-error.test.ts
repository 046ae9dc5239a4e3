import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { StepError } from '../../lambdas/workflow/step-error.js';
import {
  asStepFailure,
  isTransient,
  TRANSIENT_DEPENDENCY_ERROR,
} from '../../lambdas/workflow/transient-error.js';

const named = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, ...fields });

describe('transient dependency errors', () => {
  it.each([
    [
      'DynamoDB throttled',
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    ],
    ['S3 SlowDown (503)', named('SlowDown', { $metadata: { httpStatusCode: 503 } })],
    ['SES throttled', named('TooManyRequestsException', { $metadata: { httpStatusCode: 429 } })],
    ['EC2-style RequestLimitExceeded', named('RequestLimitExceeded')],
    ['ThrottlingException', named('ThrottlingException', { $metadata: { httpStatusCode: 400 } })],
    ['any 5xx', named('SomethingNew', { $metadata: { httpStatusCode: 500 } })],
    ['marked retryable by the SDK', named('Whatever', { $retryable: { throttling: false } })],
    ['the SDK timing out', named('TimeoutError')],
    ['connection refused', named('Error', { code: 'ECONNREFUSED' })],
    ['connection reset', named('Error', { code: 'ECONNRESET' })],
    ['connect timeout', named('Error', { code: 'ETIMEDOUT' })],
    ['a network error wrapped as cause', named('Error', { cause: named('Error', { code: 'ECONNRESET' }) })],
    [
      'a transaction cancelled for a conflict',
      named('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
    ],
  ])('%s heals', (_, error) => {
    expect(isTransient(error)).toBe(true);
    expect(asStepFailure(error)).toMatchObject({ name: TRANSIENT_DEPENDENCY_ERROR });
  });

  it.each([
    [
      'a failed condition',
      new ConditionalCheckFailedException({ message: 'no', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a missing object', new NoSuchKey({ message: 'gone', $metadata: { httpStatusCode: 404 } })],
    ['access denied', named('AccessDenied', { $metadata: { httpStatusCode: 403 } })],
    ['a step verdict, even named like a throttle', new StepError('ThrottlingException', 'own verdict')],
    ['a plain bug', new TypeError('x is undefined')],
    [
      'a transaction cancelled by a condition',
      named('TransactionCanceledException', { CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }),
    ],
    ['not an error at all', 'boom'],
  ])('%s does not heal and passes through unchanged', (_, error) => {
    expect(isTransient(error)).toBe(false);
    expect(asStepFailure(error)).toBe(error);
  });

  it('says which dependency error it was, briefly', () => {
    const failure = asStepFailure(
      named('SlowDown', { message: 'x'.repeat(1000), $metadata: { httpStatusCode: 503 } }),
    );
    expect((failure as Error).message).toMatch(/^SlowDown: x+$/);
    expect((failure as Error).message.length).toBe(500);
  });
});
