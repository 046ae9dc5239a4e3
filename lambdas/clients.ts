import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './observability.js';

/**
 * How long a call may wait for a connection and for an answer. Without these the SDK waits as long as the
 * socket does, so a network path that drops packets (a partition, not an outage) holds a request until
 * the function times out, and API Gateway answers with its own 5xx instead of the contract's 503.
 * DynamoDB: at most 2 attempts of ≤ 1 s + 2.5 s, so an API route fails within about 8 s, inside its 10 s.
 */
export const CLIENT_TIMEOUTS = {
  dynamodb: { connectionTimeout: 1_000, requestTimeout: 2_500, maxAttempts: 2 },
  stepFunctions: { connectionTimeout: 1_000, requestTimeout: 2_500, maxAttempts: 2 },
  // S3 answers large completions slowly (it keeps the connection alive while it works): a longer read.
  s3: { connectionTimeout: 2_000, requestTimeout: 30_000, maxAttempts: 3 },
  ses: { connectionTimeout: 2_000, requestTimeout: 10_000, maxAttempts: 3 },
} as const;

const options = ({
  connectionTimeout,
  requestTimeout,
  maxAttempts,
}: (typeof CLIENT_TIMEOUTS)[keyof typeof CLIENT_TIMEOUTS]) => ({
  maxAttempts,
  requestHandler: { connectionTimeout, requestTimeout },
});

/**
 * AWS clients, created once per cold start and traced. Endpoints come from the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, so local mode needs no branch here.
 */
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient(options(CLIENT_TIMEOUTS.dynamodb)));
export const documents = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

/** Path-style addressing where the deployment asks for it (S3 emulators); virtual-hosted on AWS. */
export const s3 = tracer.captureAWSv3Client(
  new S3Client({
    ...options(CLIENT_TIMEOUTS.s3),
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
  }),
);
export const sfn = tracer.captureAWSv3Client(new SFNClient(options(CLIENT_TIMEOUTS.stepFunctions)));
export const ses = tracer.captureAWSv3Client(new SESv2Client(options(CLIENT_TIMEOUTS.ses)));
