import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { multipartListing } from '../../../local/emulators/s3-multipart-listing.js';

export const TEST_BUCKET = 'recordings';
export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3Emulator {
  endpoint: string;
  client: S3Client;
  download(key: string): Promise<Buffer>;
  /** Stops answering for `ms` (connections refused), then serves again on the same port and data. */
  outage(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** s3rver on 127.0.0.1, a random port and a temporary directory, with the test bucket. */
export async function startS3Emulator(): Promise<S3Emulator> {
  const directory = await mkdtemp(join(tmpdir(), 'recorder-s3-'));
  const create = (port: number) => {
    const server = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: [{ name: TEST_BUCKET }],
    });
    // ListMultipartUploads and ListParts, which S3 has and s3rver lacks, for the salvage of a dead recorder.
    const middleware = (server as unknown as { middleware: unknown[] }).middleware;
    middleware.splice(middleware.length - 1, 0, multipartListing);
    return server;
  };
  let server = create(0);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
  });
  return {
    endpoint,
    client,
    async download(key) {
      const answer = await client.send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: key }));
      return Buffer.from(await answer.Body!.transformToByteArray());
    },
    async outage(ms) {
      await server.close();
      await new Promise((resolve) => setTimeout(resolve, ms));
      server = create(port);
      await server.run();
    },
    async close() {
      client.destroy();
      await server.close().catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** What the recorder process needs to reach the emulator through the standard variables. */
export function s3Env(emulator: S3Emulator): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: emulator.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    BUCKET_NAME: TEST_BUCKET,
  };
}
