import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { type ApiServer, startApiServer } from '../../../local/api-server.js';
import { ensureTable } from '../../../local/emulators/table.js';
import { setApiEnv } from '../../support/api-env.js';
import { dynamo, s3 } from '../../support/aws.js';

export interface ApiUnderTest {
  readonly url: string;
  /** Every StartExecution the start route sent (the workflow itself is replaced, see below). */
  executionsStarted(): number;
  stop(): Promise<void>;
}

/**
 * The real handlers behind the real authorizer over HTTP on loopback (local/api-server.ts), in this test
 * worker, so that Step Functions' StartExecution (the one AWS call the local workflow runner would answer)
 * can be answered by aws-sdk-client-mock as Step Functions does. Everything else is the emulators.
 */
export async function startApiUnderTest(env: Record<string, string> = {}): Promise<ApiUnderTest> {
  setApiEnv(env);
  const stepFunctions = mockClient(SFNClient);
  stepFunctions.on(StartExecutionCommand).callsFake(async (input: { name?: string }) => ({
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:recordings:${input.name}`,
    startDate: new Date(),
  }));
  const server: ApiServer = await startApiServer({ port: 0 });
  return {
    url: server.url,
    executionsStarted: () => stepFunctions.commandCalls(StartExecutionCommand).length,
    stop: async () => {
      await server.stop();
      stepFunctions.restore();
    },
  };
}

/** A table and a bucket of this test file alone, so that a scan of them is the whole state it can change. */
export async function createOwnResources(name: string): Promise<{ tableName: string; bucketName: string }> {
  const suffix = `${name}-${process.pid}-${Date.now()}`;
  const resources = { tableName: `hardening-${suffix}`, bucketName: `hardening-${suffix}`.toLowerCase() };
  await ensureTable(dynamo, resources.tableName);
  await s3.send(new CreateBucketCommand({ Bucket: resources.bucketName }));
  return resources;
}
