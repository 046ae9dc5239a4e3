import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type Part,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface SalvageResult {
  salvaged: boolean;
  sizeBytes: number;
  parts: number;
}

async function listAllParts(s3: S3Client, bucket: string, key: string, uploadId: string): Promise<Part[]> {
  const parts: Part[] = [];
  let marker: string | undefined;
  do {
    const page = await s3.send(
      new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
    );
    parts.push(...(page.Parts ?? []));
    marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
  } while (marker !== undefined);
  return parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
}

/**
 * Turns the parts a killed recorder left in S3 into the object: completes the newest open multipart
 * upload of `key` with its parts 1..n (stopping at the first missing number). The recorder cuts parts
 * on MP4 box boundaries, so that prefix is a playable partial file. Other open uploads of the key
 * and an upload without parts are aborted.
 */
export async function salvageOpenUpload(s3: S3Client, bucket: string, key: string): Promise<SalvageResult> {
  const listing = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  const uploads = (listing.Uploads ?? [])
    .filter((upload) => upload.Key === key && upload.UploadId)
    .sort((a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0));
  const [newest, ...older] = uploads;
  for (const upload of older) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId }));
  }
  if (!newest?.UploadId) return { salvaged: false, sizeBytes: 0, parts: 0 };
  const parts = await listAllParts(s3, bucket, key, newest.UploadId);
  const consecutive: Part[] = [];
  for (const part of parts) {
    if (part.PartNumber !== consecutive.length + 1) break;
    consecutive.push(part);
  }
  if (consecutive.length === 0) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: newest.UploadId }));
    return { salvaged: false, sizeBytes: 0, parts: 0 };
  }
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: newest.UploadId,
      MultipartUpload: { Parts: consecutive.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
    }),
  );
  const sizeBytes = consecutive.reduce((sum, part) => sum + (part.Size ?? 0), 0);
  return { salvaged: true, sizeBytes, parts: consecutive.length };
}
