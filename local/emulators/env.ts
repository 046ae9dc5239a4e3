export interface EmulatorEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
  readonly ses: string;
}

export interface Resources {
  readonly tableName: string;
  readonly bucketName: string;
}

export const LOCAL_REGION = 'us-east-1';
/** s3rver's only key pair; DynamoDB Local and the SES emulator accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * The environment a process (handler, recorder, test worker) needs to reach the emulators through the
 * SDK's standard variables. `AWS_ENDPOINT_URL_<SERVICE>` uses the client's serviceId upper-cased with
 * spaces as underscores: DynamoDB → DYNAMODB, DynamoDB Streams → DYNAMODB_STREAMS, S3 → S3, SESv2 → SESV2,
 * SFN → SFN, SQS → SQS.
 */
export function emulatorEnv(endpoints: EmulatorEndpoints, resources: Resources): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    // s3rver stores the aws-chunked framing of streamed uploads as object data unless checksums are off.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Not needed with an IP-literal endpoint (the SDK goes path-style by itself); honoured by lambdas/clients.ts.
    S3_FORCE_PATH_STYLE: 'true',
    TABLE_NAME: resources.tableName,
    BUCKET_NAME: resources.bucketName,
  };
}
