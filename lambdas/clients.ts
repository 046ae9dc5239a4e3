import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './observability.js';

/**
 * AWS clients, created once per cold start and traced. Endpoints come from the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, so local mode needs no branch here.
 */
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
export const documents = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

/** Path-style addressing where the deployment asks for it (S3 emulators); virtual-hosted on AWS. */
export const s3 = tracer.captureAWSv3Client(
  new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }),
);
export const sfn = tracer.captureAWSv3Client(new SFNClient({}));
export const ses = tracer.captureAWSv3Client(new SESv2Client({}));
