/** Bytes already in S3 as parts of the open multipart uploads of a bucket (what a recorder has sent so far). */
import { ListMultipartUploadsCommand, ListPartsCommand, S3Client } from '@aws-sdk/client-s3';

export async function uploadedPartBytes(bucket: string): Promise<{ uploads: number; bytes: number }> {
  const s3 = new S3Client({ forcePathStyle: true });
  try {
    const listing = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    let bytes = 0;
    for (const upload of listing.Uploads ?? []) {
      const parts = await s3.send(
        new ListPartsCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
      for (const part of parts.Parts ?? []) bytes += part.Size ?? 0;
    }
    return { uploads: listing.Uploads?.length ?? 0, bytes };
  } finally {
    s3.destroy();
  }
}
