import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../../clients.js';
import { env } from '../../config.js';
import { ApiError } from '../../domain/errors.js';
import { apiHandler } from '../../http/api-handler.js';
import { archiveDownloadOverrides, downloadOverrides } from '../../links/presigned-link-issuer.js';
import { wantsWatchPage, watchPage } from '../../links/watch-page.js';
import { logger } from '../../observability.js';
import { archiveStoreFromEnv, linkTokensFromEnv, storeFromEnv } from '../../recordings/service-from-env.js';

/** How long the S3 URL behind a redirect lives: long enough to start the download or a seek, no more. */
const REDIRECT_URL_SECONDS = 300;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const tokens = linkTokensFromEnv();
const store = storeFromEnv();
const archives = archiveStoreFromEnv();
const security = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', vary: 'Accept' };

const signedUrl = (key: string, overrides: ReturnType<typeof downloadOverrides>) =>
  getSignedUrl(s3, new GetObjectCommand({ Bucket: env('BUCKET_NAME'), Key: key, ...overrides }), {
    expiresIn: REDIRECT_URL_SECONDS,
  });

export const handler = apiHandler({ authorized: false }, async (request) => {
  const token = request.event.pathParameters?.token ?? '';
  const link = TOKEN_PATTERN.test(token) ? await tokens.find(token) : undefined;
  if (!link) throw new ApiError('not_found', 'No such link.');
  if (link.archiveId !== undefined) {
    const archive = await archives.get(link.archiveId);
    const now = Date.now();
    if (
      Date.parse(link.expiresAt) <= now ||
      archive?.status !== 'READY' ||
      Date.parse(archive.expiresAt ?? '') <= now
    ) {
      throw new ApiError('gone', 'This link has expired.');
    }
    const url = await signedUrl(archive.objectKey, archiveDownloadOverrides(archive));
    return { statusCode: 302, headers: { ...security, location: url } };
  }
  const recording = await store.get(link.recordingId);
  if (Date.parse(link.expiresAt) <= Date.now() || !recording) {
    throw new ApiError('gone', 'This link has expired.');
  }
  if (recording.status !== 'UPLOADED')
    throw new ApiError('gone', 'This link no longer works: the recording was deleted.');
  const url = await signedUrl(recording.objectKey, downloadOverrides(recording));
  if (wantsWatchPage(request.header('accept'), request.event.queryStringParameters ?? {})) {
    const page = watchPage(recording, link.expiresAt, new URL(url).origin);
    return {
      statusCode: 200,
      headers: {
        ...security,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': page.contentSecurityPolicy,
        'x-content-type-options': 'nosniff',
      },
      body: page.html,
    };
  }
  // A download, not the player's range requests: the link reminder is not sent to a host who has the file.
  if (!recording.downloadedAt && request.header('range') === undefined) {
    await store
      .update(recording.id, { downloadedAt: new Date().toISOString() }, ['UPLOADED'])
      .catch((error: unknown) => logger.warn('Could not note the download', { error }));
  }
  return { statusCode: 302, headers: { ...security, location: url } };
});
