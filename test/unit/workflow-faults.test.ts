import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { checkWorkflowFaults, FaultPlan, parseWorkflowFaults } from '../../local/workflow/workflow-faults.js';

describe('local workflow faults', () => {
  it('parses LOCAL_WORKFLOW_FAULTS: state, optional service, error, times (default 1)', () => {
    expect(
      parseWorkflowFaults(
        'FinalizeRecording=Lambda.TooManyRequestsException*2, RunRecorder=AmazonECS.Unknown*3,NotifyHost=dynamodb:ProvisionedThroughputExceededException',
      ),
    ).toEqual([
      { state: 'FinalizeRecording', error: 'Lambda.TooManyRequestsException', times: 2 },
      { state: 'RunRecorder', error: 'AmazonECS.Unknown', times: 3 },
      {
        state: 'NotifyHost',
        error: 'ProvisionedThroughputExceededException',
        service: 'dynamodb',
        times: 1,
      },
    ]);
    expect(parseWorkflowFaults(undefined)).toEqual([]);
    expect(parseWorkflowFaults('  ')).toEqual([]);
    expect(() => parseWorkflowFaults('FinalizeRecording')).toThrow(/is not <State>=/);
    expect(() => parseWorkflowFaults('FinalizeRecording=sqs:Throttled')).toThrow(/is not <State>=/);
    expect(() => parseWorkflowFaults('FinalizeRecording=X*many')).toThrow(/is not <State>=/);
  });

  it('refuses a state that is not a Task, and a dependency fault where no Lambda runs', () => {
    const kinds = new Map([
      ['FinalizeRecording', 'lambda' as const],
      ['RunRecorder', 'other' as const],
    ]);
    expect(() => checkWorkflowFaults([{ state: 'Done', error: 'X', times: 1 }], kinds)).toThrow(
      /no Task state Done/,
    );
    expect(() =>
      checkWorkflowFaults([{ state: 'RunRecorder', error: 'SlowDown', service: 's3', times: 1 }], kinds),
    ).toThrow(/runs no Lambda/);
    expect(() =>
      checkWorkflowFaults([{ state: 'RunRecorder', error: 'AmazonECS.Unknown', times: 2 }], kinds),
    ).not.toThrow();
  });

  it('fails a state k times with the AWS error, in the order given, then runs it', async () => {
    const plan = new FaultPlan([
      { state: 'RunRecorder', error: 'AmazonECS.Unknown', times: 2 },
      { state: 'RunRecorder', error: 'ECS.InvalidParameterException', times: 1 },
    ]);
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await plan.run('RunRecorder', async () => 'ran').catch((error: Error) => error.name));
    }
    expect(outcomes).toEqual([
      'AmazonECS.Unknown',
      'AmazonECS.Unknown',
      'ECS.InvalidParameterException',
      'ran',
    ]);
    expect(await plan.run('FinalizeRecording', async () => 'untouched')).toBe('untouched');
  });

  it("a dependency fault makes the handler's own DynamoDB client throw, once, inside that invocation only", async () => {
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    const { documents } = await import('../../lambdas/clients.js');
    const get = () =>
      documents.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })).then(
        () => 'answered',
        (error: Error) => error.name,
      );
    const plan = new FaultPlan([
      {
        state: 'FinalizeRecording',
        error: 'ProvisionedThroughputExceededException',
        service: 'dynamodb',
        times: 1,
      },
    ]);
    const [faulty, other] = await Promise.all([
      plan.run('FinalizeRecording', async () => [await get(), await get()]),
      get(),
    ]);
    // The first call of the faulty invocation is throttled; its second and the other call reach the network.
    expect(faulty[0]).toBe('ProvisionedThroughputExceededException');
    expect(faulty[1]).not.toBe('ProvisionedThroughputExceededException');
    expect(other).not.toBe('ProvisionedThroughputExceededException');
    expect(await plan.run('FinalizeRecording', get)).not.toBe('ProvisionedThroughputExceededException');
  });
});
