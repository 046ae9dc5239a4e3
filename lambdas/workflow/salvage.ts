import {
  CompleteMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type Part,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface SalvagedObject {
  sizeBytes: number;
  /** Parts joined into the object (0 when it was complete already). */
  parts: number;
  /** When the last byte reached storage: the end of what was recorded. */
  lastWrittenAt: Date;
  /** Whether this call assembled the object from parts, or found it complete already. */
  assembled: boolean;
}

/**
 * Turns what a dead recorder left in S3 into one object: the complete object when the recorder got that
 * far, else its open multipart upload completed from every part already uploaded. The recorder uploads
 * whole fragments of a fragmented MP4 (or whole MKV clusters) per part, so the parts joined play.
 * Answers undefined when nothing was uploaded.
 */
export async function salvageObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<SalvagedObject | undefined> {
  const existing = await headObject(s3, bucket, key);
  if (existing) return { ...existing, parts: 0, assembled: false };

  const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  const uploads = Uploads.filter((upload) => upload.Key === key && upload.UploadId);
  for (const upload of uploads.reverse()) {
    // Parts are uploaded concurrently: a dead recorder may leave a gap. Only the run from part 1 plays through.
    const parts = (await listParts(s3, bucket, key, upload.UploadId!)).filter(
      (part, index) => part.PartNumber === index + 1,
    );
    if (parts.length === 0) continue;
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
      }),
    );
    const completed = await headObject(s3, bucket, key);
    if (completed) {
      const lastPart = parts.reduce((latest, part) =>
        (part.LastModified?.getTime() ?? 0) > (latest.LastModified?.getTime() ?? 0) ? part : latest,
      );
      return {
        sizeBytes: completed.sizeBytes,
        parts: parts.length,
        lastWrittenAt: lastPart.LastModified ?? completed.lastWrittenAt,
        assembled: true,
      };
    }
  }
  return undefined;
}

async function listParts(s3: S3Client, bucket: string, key: string, uploadId: string): Promise<Part[]> {
  const parts: Part[] = [];
  let marker: string | undefined;
  do {
    const page = await s3.send(
      new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
    );
    parts.push(...(page.Parts ?? []));
    marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
  } while (marker);
  return parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
}

export async function headObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ sizeBytes: number; lastWrittenAt: Date } | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { sizeBytes: head.ContentLength ?? 0, lastWrittenAt: head.LastModified ?? new Date() };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
    throw error;
  }
}
