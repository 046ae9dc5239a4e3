import { PassThrough, type Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type Part,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FragmentIndex } from '../media/progressive-mp4.js';

export interface SalvagedObject {
  sizeBytes: number;
  /** Parts joined into the object (0 when it was complete already). */
  parts: number;
  /** When the last byte reached storage: the end of what was recorded. */
  lastWrittenAt: Date;
  /** Whether this call assembled the object from parts, or found it complete already. */
  assembled: boolean;
  /** An assembled MP4 rewritten as a standard one; why not, when that failed (it stays fragmented). */
  standardMp4?: boolean;
  standardMp4Error?: string;
}

/**
 * Turns what a dead recorder left in S3 into one object: the complete object when the recorder got that
 * far, else its open multipart upload completed from every part already uploaded. The recorder uploads
 * whole fragments of a fragmented MP4 (or MKV clusters) per part, so the parts joined play; an MP4
 * is then rewritten as the standard MP4 the recorder would have finished (see rewriteAsStandardMp4).
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
      const salvaged = {
        sizeBytes: completed.sizeBytes,
        parts: parts.length,
        lastWrittenAt: lastPart.LastModified ?? completed.lastWrittenAt,
        assembled: true,
      };
      if (completed.contentType !== 'video/mp4') return salvaged;
      try {
        const standard = await rewriteAsStandardMp4(s3, bucket, key, completed.contentType);
        return { ...salvaged, sizeBytes: standard.sizeBytes, standardMp4: true };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ...salvaged, standardMp4: false, standardMp4Error: message };
      }
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
): Promise<{ sizeBytes: number; lastWrittenAt: Date; contentType?: string } | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      sizeBytes: head.ContentLength ?? 0,
      lastWrittenAt: head.LastModified ?? new Date(),
      contentType: head.ContentType,
    };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * Rewrites the fragmented MP4 under `key` as a standard one, as the recorder does at a normal finish:
 * a first read indexes every fragment's samples, a second streams the new head (ftyp, a moov with full
 * sample tables, one mdat header) and the original bytes after the old head into a new object under
 * the same key. Players that read only the moov (QuickTime, the Windows and Android players) then see
 * the real duration. Nothing is replaced unless the whole new object was written.
 */
export async function rewriteAsStandardMp4(
  s3: S3Client,
  bucket: string,
  key: string,
  contentType: string,
): Promise<{ sizeBytes: number }> {
  const index = new FragmentIndex();
  const original = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  for await (const chunk of original.Body as AsyncIterable<Uint8Array>) index.push(Buffer.from(chunk));
  const end = index.fragmentsEnd;
  const head = index.progressiveHead(end);
  const media = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${index.headLength}-${end - 1}` }),
  );
  const body = new PassThrough();
  body.write(head);
  const source = media.Body as Readable;
  source.on('error', (error) => body.destroy(error));
  source.pipe(body);
  await new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
  }).done();
  return { sizeBytes: head.length + end - index.headLength };
}
