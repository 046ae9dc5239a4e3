import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOOPBACK } from '../emulators/ports.js';

export type SqsConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface LocalQueueOptions {
  readonly port: number;
  readonly name: string;
  /** Seconds a received message stays hidden (the queue's VisibilityTimeout). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives after which a message goes to the dead-letter queue (here: the log). */
  readonly maxReceiveCount: number;
  /** The Lambda behind the SQS event source (batch size 10, partial batch responses). */
  readonly consumer: SqsConsumer;
  /**
   * The function's timeout: an invocation that has not answered by then counts as failed for its whole
   * batch, whose messages come back after their visibility timeout, as with Lambda.
   */
  readonly consumerTimeoutMs?: number;
  /** Batches in flight at once (Lambda's SQS event source starts with five pollers). */
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
}

export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
}

export interface LocalQueue {
  /** For AWS_ENDPOINT_URL_SQS. */
  readonly endpoint: string;
  readonly queueUrl: string;
  /** What the dead-letter queue holds, oldest first. */
  readonly deadLetters: readonly DeadLetter[];
  stop(): Promise<void>;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * One SQS queue with its Lambda event source, in this process: SendMessage/SendMessageBatch and
 * ChangeMessageVisibility over the SQS JSON protocol, and pollers handing visible messages to the
 * consumer in batches of 10 (several batches at once), deleting those not reported as failed,
 * dead-lettering after maxReceiveCount.
 */
export async function startLocalQueue(options: LocalQueueOptions): Promise<LocalQueue> {
  const log = options.log ?? (() => {});
  const messages = new Map<string, Message>();
  const enqueue = (body: string) => {
    const message: Message = {
      messageId: randomUUID(),
      body,
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
    };
    messages.set(message.messageId, message);
    return message;
  };

  const operations: Record<string, (request: Record<string, unknown>) => unknown> = {
    SendMessage: (request) => {
      const message = enqueue(String(request.MessageBody));
      return { MessageId: message.messageId, MD5OfMessageBody: md5(message.body) };
    },
    SendMessageBatch: (request) => ({
      Successful: ((request.Entries ?? []) as { Id: string; MessageBody: string }[]).map((entry) => {
        const message = enqueue(entry.MessageBody);
        return { Id: entry.Id, MessageId: message.messageId, MD5OfMessageBody: md5(entry.MessageBody) };
      }),
      Failed: [],
    }),
    ChangeMessageVisibility: (request) => {
      const message = [...messages.values()].find(
        (candidate) => candidate.receiptHandle === request.ReceiptHandle,
      );
      if (message) message.visibleAt = Date.now() + Number(request.VisibilityTimeout) * 1000;
      return {};
    },
  };

  const server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    const operation = operations[target];
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
    if (!operation) {
      reply(400, {
        __type: 'com.amazonaws.sqs#UnsupportedOperation',
        message: `Unsupported operation ${target}`,
      });
      return;
    }
    reply(200, operation(JSON.parse((await readText(req)) || '{}') as Record<string, unknown>));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${LOOPBACK}:${port}`;
  const queueUrl = `${endpoint}/000000000000/${options.name}`;
  const queueArn = `arn:aws:sqs:us-east-1:000000000000:${options.name}`;

  const deadLetters: DeadLetter[] = [];
  const invoke = async (event: SQSEvent): Promise<SQSBatchResponse | undefined> => {
    if (options.consumerTimeoutMs === undefined) return options.consumer(event);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Task timed out after ${options.consumerTimeoutMs} ms`)),
        options.consumerTimeoutMs,
      );
    });
    try {
      return await Promise.race([options.consumer(event), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      const now = Date.now();
      const batch = [...messages.values()].filter((message) => message.visibleAt <= now).slice(0, 10);
      if (batch.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const records: SQSRecord[] = batch.map((message) => {
        message.receiveCount += 1;
        message.receiptHandle = randomUUID();
        message.visibleAt = now + options.visibilityTimeoutSeconds * 1000;
        return {
          messageId: message.messageId,
          receiptHandle: message.receiptHandle,
          body: message.body,
          attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            SenderId: '000000000000',
            ApproximateFirstReceiveTimestamp: String(now),
          },
          messageAttributes: {},
          md5OfBody: md5(message.body),
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: 'us-east-1',
        };
      });
      let failed: Set<string>;
      try {
        const response = await invoke({ Records: records });
        failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      } catch (error) {
        log(`queue ${options.name}: consumer failed: ${String(error)}`);
        failed = new Set(batch.map((message) => message.messageId));
      }
      for (const message of batch) {
        if (!failed.has(message.messageId)) messages.delete(message.messageId);
        else if (message.receiveCount >= options.maxReceiveCount) {
          messages.delete(message.messageId);
          deadLetters.push({
            messageId: message.messageId,
            body: message.body,
            receiveCount: message.receiveCount,
          });
          log(
            `queue ${options.name}: message ${message.messageId} dead-lettered after ${message.receiveCount} receives`,
          );
        }
      }
    }
  };
  const pollers = Array.from({ length: options.concurrency ?? 1 }, () => poll());

  return {
    endpoint,
    queueUrl,
    deadLetters,
    stop: async () => {
      stopped = true;
      await Promise.all(pollers);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
