/**
 * The local API server (local/api-server.ts: the real handlers behind the real authorizer) in its own process,
 * so that the load generator does not share its event loop. Step Functions' StartExecution is answered
 * in-process the way Step Functions answers it: the workflow is not part of the control plane's latency.
 * Prints `READY <url>` once listening; stops on SIGTERM.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { startApiServer } from '../../local/api-server.js';

mockClient(SFNClient)
  .on(StartExecutionCommand)
  .callsFake(async (input: { name?: string }) => ({
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:recordings:${input.name}`,
    startDate: new Date(),
  }));
const server = await startApiServer({ port: 0 });
process.stdout.write(`READY ${server.url}\n`);
process.once('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
