import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What this reads of s3rver's filesystem store: `<bucket>/…_S3rver_uploads/<uploadId>/{key,<part>}`. */
interface UploadsStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  store: UploadsStore;
}

type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/**
 * s3rver 3.7 answers NotImplemented to ListMultipartUploads and ListParts, which the salvage step needs
 * to complete a dead recorder's upload. This Koa middleware, placed before s3rver's router, answers both
 * from s3rver's own store (bodies as plain objects: s3rver's XML middleware serialises them).
 */
export const multipartListing: Middleware = async (ctx, next) => {
  if (ctx.method !== 'GET') return next();
  const [, bucket, ...keyParts] = ctx.path.split('/');
  if (!bucket) return next();
  const key = keyParts.map(decodeURIComponent).join('/');
  if (key === '' && 'uploads' in ctx.query) {
    ctx.body = await listUploads(ctx.store, bucket, String(ctx.query.prefix ?? ''));
  } else if (key !== '' && typeof ctx.query.uploadId === 'string' && !('partNumber' in ctx.query)) {
    const listed = await listParts(ctx.store, bucket, key, ctx.query.uploadId);
    if (!listed) return next();
    ctx.body = listed;
  } else {
    return next();
  }
};

async function uploads(
  store: UploadsStore,
  bucket: string,
): Promise<{ uploadId: string; dir: string; key: string }[]> {
  const root = store.getResourcePath(bucket, undefined, 'uploads');
  const ids = await readdir(root).catch(() => [] as string[]);
  const found = await Promise.all(
    ids.map(async (uploadId) => {
      const dir = join(root, uploadId);
      const key = await readFile(join(dir, 'key'), 'utf8').catch(() => undefined);
      return key === undefined ? undefined : { uploadId, dir, key };
    }),
  );
  return found.filter((upload) => upload !== undefined);
}

async function listUploads(store: UploadsStore, bucket: string, prefix: string) {
  const open = (await uploads(store, bucket)).filter((upload) => upload.key.startsWith(prefix));
  const withTimes = await Promise.all(
    open.map(async (upload) => ({ ...upload, initiated: (await stat(join(upload.dir, 'key'))).mtime })),
  );
  withTimes.sort((a, b) => a.key.localeCompare(b.key) || a.initiated.getTime() - b.initiated.getTime());
  return {
    ListMultipartUploadsResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Bucket: bucket,
      Prefix: prefix,
      KeyMarker: '',
      UploadIdMarker: '',
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: withTimes.map((upload) => ({
        Key: upload.key,
        UploadId: upload.uploadId,
        Initiated: upload.initiated.toISOString(),
        StorageClass: 'STANDARD',
      })),
    },
  };
}

async function listParts(store: UploadsStore, bucket: string, key: string, uploadId: string) {
  const upload = (await uploads(store, bucket)).find((candidate) => candidate.uploadId === uploadId);
  if (!upload || upload.key !== key) return undefined;
  const numbers = (await readdir(upload.dir)).filter((name) => /^\d+$/.test(name)).map(Number);
  numbers.sort((a, b) => a - b);
  const parts = await Promise.all(
    numbers.map(async (partNumber) => {
      const file = join(upload.dir, String(partNumber));
      const [info, content] = await Promise.all([stat(file), readFile(file)]);
      return {
        PartNumber: partNumber,
        LastModified: info.mtime.toISOString(),
        ETag: `"${createHash('md5').update(content).digest('hex')}"`,
        Size: info.size,
      };
    }),
  );
  return {
    ListPartsResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumberMarker: 0,
      NextPartNumberMarker: parts.at(-1)?.PartNumber ?? 0,
      MaxParts: 1000,
      IsTruncated: false,
      StorageClass: 'STANDARD',
      Part: parts,
    },
  };
}
