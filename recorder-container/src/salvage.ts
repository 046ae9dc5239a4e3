import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  type S3Client,
} from '@aws-sdk/client-s3';
import { manifestKey, type UploadManifest } from './upload-manifest.js';

export interface SalvageResult {
  salvaged: boolean;
  sizeBytes: number;
  parts: number;
}

const NOTHING: SalvageResult = { salvaged: false, sizeBytes: 0, parts: 0 };

async function readManifest(s3: S3Client, bucket: string, key: string): Promise<UploadManifest | undefined> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(key) }));
    return JSON.parse(await answer.Body!.transformToString()) as UploadManifest;
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * Turns the parts a dead recorder left in S3 into the recording: completes its multipart upload with
 * the parts its manifest lists (parts end on MP4 box boundaries, so they form a playable partial
 * file), then deletes the manifest. `salvaged: false` when there is no open upload or no part.
 * For the workflow's SalvageRecording step; the caller needs s3:GetObject/DeleteObject on the
 * manifest and s3:AbortMultipartUpload, s3:PutObject (complete) on the recording's key.
 */
export async function salvageOpenUpload(s3: S3Client, bucket: string, key: string): Promise<SalvageResult> {
  const manifest = await readManifest(s3, bucket, key);
  if (!manifest) return NOTHING;
  const parts = [...manifest.parts].sort((a, b) => a.PartNumber - b.PartNumber);
  const consecutive = parts.filter((part, index) => part.PartNumber === index + 1);
  let result = NOTHING;
  if (consecutive.length === 0) {
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: manifest.uploadId }))
      .catch(() => undefined);
  } else {
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: manifest.uploadId,
        MultipartUpload: { Parts: consecutive.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
      }),
    );
    result = {
      salvaged: true,
      sizeBytes: consecutive.reduce((sum, part) => sum + part.Size, 0),
      parts: consecutive.length,
    };
  }
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: manifestKey(key) }));
  return result;
}
