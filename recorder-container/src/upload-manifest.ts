import type { CompletedPart } from '@aws-sdk/client-s3';

/**
 * What a salvage needs to complete a recorder's multipart upload after the recorder died: written
 * next to the recording (`<objectKey>.parts.json`) after every uploaded part, deleted on completion.
 * Kept by the recorder rather than listed from S3 because ListParts is not available everywhere
 * (s3rver lacks it) and the recorder knows exactly which parts are whole.
 */
export interface UploadManifest {
  uploadId: string;
  parts: Array<Required<Pick<CompletedPart, 'PartNumber' | 'ETag'>> & { Size: number }>;
}

export function manifestKey(objectKey: string): string {
  return `${objectKey}.parts.json`;
}
