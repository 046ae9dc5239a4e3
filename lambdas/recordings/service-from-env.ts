import { type ArchiveLinkIssuer, ArchiveService } from '../archives/archive-service.js';
import { ArchiveStore } from '../archives/archive-store.js';
import { documents, s3, sfn } from '../clients.js';
import { env } from '../config.js';
import { parseAllowedOrigins } from '../domain/meeting-url.js';
import { CursorCodec } from '../http/cursor.js';
import { PresignedLinkIssuer, type SigningCredentials } from '../links/presigned-link-issuer.js';
import { LinkTokenStore, RedirectLinkIssuer } from '../links/redirect-link-issuer.js';
import { secretValue } from '../secrets.js';
import { DynamoRecordingStore } from '../store/dynamo-recording-store.js';
import { S3ObjectRemover, StepFunctionsWorkflowStarter } from './aws-adapters.js';
import { type LinkIssuer, RecordingService } from './recording-service.js';

/** Seconds the recorder has, past its maximum duration, to finalise before the workflow stops it. */
export const FINALISE_GRACE_SECONDS = 300;

/** The composition root: real AWS adapters wired from the function's environment, built on first use. */
export function storeFromEnv(): DynamoRecordingStore {
  return new DynamoRecordingStore(documents, env('TABLE_NAME'));
}

export function archiveStoreFromEnv(): ArchiveStore {
  return new ArchiveStore(documents, env('TABLE_NAME'));
}

export function linkTokensFromEnv(): LinkTokenStore {
  return new LinkTokenStore(documents, env('TABLE_NAME'));
}

let linkIssuer: (LinkIssuer & ArchiveLinkIssuer) | undefined;

export function linkIssuerFromEnv(): LinkIssuer & ArchiveLinkIssuer {
  linkIssuer ??= newLinkIssuer();
  return linkIssuer;
}

function newLinkIssuer(): LinkIssuer & ArchiveLinkIssuer {
  if (env('LINK_MODE') === 'redirect') {
    const publicApiUrl = env('PUBLIC_API_URL');
    if (!publicApiUrl) throw new Error('PUBLIC_API_URL is required in redirect link mode.');
    return new RedirectLinkIssuer(linkTokensFromEnv(), publicApiUrl);
  }
  return new PresignedLinkIssuer(
    env('BUCKET_NAME'),
    async () => JSON.parse(await secretValue('SIGNING_SECRET')) as SigningCredentials,
    process.env.S3_FORCE_PATH_STYLE === 'true',
  );
}

export function cursorCodecFromEnv(): CursorCodec {
  return new CursorCodec(() => secretValue('CURSOR_SECRET'));
}

let service: RecordingService | undefined;

/** Each adapter reads its variables only when used, so a function gets only the settings its routes need. */
export function recordingService(): RecordingService {
  service ??= new RecordingService(
    storeFromEnv(),
    { start: (input) => new StepFunctionsWorkflowStarter(sfn, env('STATE_MACHINE_ARN')).start(input) },
    { remove: (key) => new S3ObjectRemover(s3, env('BUCKET_NAME')).remove(key) },
    { issue: (recording, seconds, now) => linkIssuerFromEnv().issue(recording, seconds, now) },
    {
      meetingUrlPolicy: {
        allowedOrigins: parseAllowedOrigins(env('ALLOWED_MEETING_ORIGINS')),
        allowLoopbackHttp: env('ALLOW_LOOPBACK_HTTP') === 'true',
      },
      maxDurationSeconds: env('MAX_DURATION_SECONDS'),
      retentionDays: env('RETENTION_DAYS'),
      finaliseGraceSeconds: FINALISE_GRACE_SECONDS,
    },
  );
  return service;
}

let archiveService: ArchiveService | undefined;

export function archiveServiceFromEnv(): ArchiveService {
  archiveService ??= new ArchiveService(
    archiveStoreFromEnv(),
    storeFromEnv(),
    { issueArchive: (archive, seconds, now) => linkIssuerFromEnv().issueArchive(archive, seconds, now) },
    { remove: (key) => new S3ObjectRemover(s3, env('BUCKET_NAME')).remove(key) },
  );
  return archiveService;
}
