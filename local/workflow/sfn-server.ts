import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from '../emulators/ports.js';
import { stopServer } from '../stop-server.js';
import { type Execution, WorkflowError, type WorkflowRunner } from './runner.js';
import { TaskTokenError, type TaskTokens } from './task-tokens.js';

export interface SfnServer {
  /** For AWS_ENDPOINT_URL_SFN. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

type Operation = (request: Record<string, unknown>) => unknown;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const epochSeconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

function describe(execution: Execution) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    stopDate: epochSeconds(execution.stopDate),
    input: execution.input,
    output: execution.output,
    error: execution.error,
    cause: execution.cause,
  };
}

/**
 * The slice of the Step Functions API (JSON 1.0 protocol) that the project calls: StartExecution from the
 * start handler, SendTaskSuccess/Failure/Heartbeat from the recorder, and Describe/StopExecution for tools.
 */
export async function startSfnServer(options: {
  port: number;
  runner: WorkflowRunner;
  tokens: TaskTokens;
}): Promise<SfnServer> {
  const { runner, tokens } = options;
  const operations: Record<string, Operation> = {
    StartExecution: (request) => {
      const execution = runner.start(
        String(request.stateMachineArn),
        text(request.name),
        text(request.input),
      );
      return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
    },
    DescribeExecution: (request) => describe(runner.describe(String(request.executionArn))),
    StopExecution: (request) => {
      runner.stop(String(request.executionArn));
      return { stopDate: Date.now() / 1000 };
    },
    SendTaskSuccess: (request) => {
      tokens.succeed(String(request.taskToken), String(request.output));
      return {};
    },
    SendTaskFailure: (request) => {
      tokens.fail(String(request.taskToken), text(request.error), text(request.cause));
      return {};
    },
    SendTaskHeartbeat: (request) => {
      tokens.heartbeat(String(request.taskToken));
      return {};
    },
  };

  const server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
    };
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = operations[target.replace(/^AWSStepFunctions\./, '')];
    if (req.method !== 'POST' || !operation) {
      reply(400, { __type: 'UnknownOperationException', message: `Unsupported operation ${target}` });
      return;
    }
    try {
      reply(200, operation(JSON.parse((await readText(req)) || '{}') as Record<string, unknown>));
    } catch (error) {
      if (error instanceof WorkflowError || error instanceof TaskTokenError) {
        reply(400, { __type: `com.amazonaws.swf.service.v2.model#${error.code}`, message: error.message });
      } else {
        reply(500, {
          __type: 'InternalFailure',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    stop: () => stopServer(server),
  };
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
