import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type Archive, archiveFileName } from '../archives/archive.js';
import type { ArchiveLinkIssuer } from '../archives/archive-service.js';
import { CONTENT_TYPES, type Recording } from '../domain/recording.js';
import type { IssuedLink, LinkIssuer } from '../recordings/recording-service.js';
import { attachmentDisposition } from './content-disposition.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The file's name and type as the browser should see them when it downloads. */
export function downloadOverrides(recording: Recording) {
  const name = recording.file?.name ?? recording.objectKey.split('/').pop() ?? 'recording';
  return {
    ResponseContentDisposition: attachmentDisposition(name),
    ResponseContentType: recording.file?.contentType ?? CONTENT_TYPES[recording.format],
  };
}

export function archiveDownloadOverrides(archive: Pick<Archive, 'id'>) {
  return {
    ResponseContentDisposition: attachmentDisposition(archiveFileName(archive)),
    ResponseContentType: 'application/zip',
  };
}

/**
 * `presigned` mode: a direct S3 URL signed with the long-term key of the read-only signing identity.
 * A URL signed with a Lambda role's temporary credentials dies with them (hours), whatever its
 * X-Amz-Expires says; a long-term key's signature lives the full 7 days.
 */
export class PresignedLinkIssuer implements LinkIssuer, ArchiveLinkIssuer {
  private client: Promise<S3Client> | undefined;

  constructor(
    private readonly bucket: string,
    private readonly credentials: () => Promise<SigningCredentials>,
    private readonly forcePathStyle: boolean,
  ) {}

  async issue(recording: Recording, expiresInSeconds: number, now: Date): Promise<IssuedLink> {
    return this.sign(recording.objectKey, downloadOverrides(recording), expiresInSeconds, now);
  }

  async issueArchive(archive: Archive, expiresInSeconds: number, now: Date): Promise<IssuedLink> {
    return this.sign(archive.objectKey, archiveDownloadOverrides(archive), expiresInSeconds, now);
  }

  private async sign(
    key: string,
    overrides: ReturnType<typeof downloadOverrides>,
    expiresInSeconds: number,
    now: Date,
  ): Promise<IssuedLink> {
    this.client ??= this.credentials().then(
      (credentials) => new S3Client({ credentials, forcePathStyle: this.forcePathStyle }),
    );
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ...overrides });
    const url = await getSignedUrl(await this.client, command, {
      expiresIn: expiresInSeconds,
      signingDate: now,
    });
    return { url, expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString() };
  }
}
