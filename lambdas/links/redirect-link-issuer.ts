import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Archive } from '../archives/archive.js';
import type { ArchiveLinkIssuer } from '../archives/archive-service.js';
import { newLinkToken } from '../domain/names.js';
import type { Recording } from '../domain/recording.js';
import type { IssuedLink, LinkIssuer } from '../recordings/recording-service.js';

/** What a token opens: one recording's file (emailed links) or one archive (the archive route's URL). */
export type LinkTokenRecord = { clientId: string; expiresAt: string } & (
  | { recordingId: string; archiveId?: undefined }
  | { archiveId: string; recordingId?: undefined }
);

const tokenKey = (token: string) => ({
  pk: `LINK#${createHash('sha256').update(token).digest('hex')}`,
  sk: 'LINK',
});

/** Link tokens, stored only as their hash: a leak of the table gives no working link. */
export class LinkTokenStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(token: string, record: LinkTokenRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...tokenKey(token),
          type: 'link',
          ...record,
          // DynamoDB's TTL deletes within days, not at the second: expiry is checked on every use.
          ttl: Math.floor(Date.parse(record.expiresAt) / 1000) + 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async find(token: string): Promise<LinkTokenRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: tokenKey(token) }),
    );
    if (Item?.type !== 'link') return undefined;
    const common = { clientId: Item.clientId as string, expiresAt: Item.expiresAt as string };
    return typeof Item.archiveId === 'string'
      ? { ...common, archiveId: Item.archiveId }
      : { ...common, recordingId: Item.recordingId as string };
  }
}

/** `redirect` mode: the link points at our API, which checks the token on every click. */
export class RedirectLinkIssuer implements LinkIssuer, ArchiveLinkIssuer {
  constructor(
    private readonly tokens: LinkTokenStore,
    private readonly publicApiUrl: string,
  ) {}

  async issue(recording: Recording, expiresInSeconds: number, now: Date): Promise<IssuedLink> {
    return this.link({ recordingId: recording.id, clientId: recording.clientId }, expiresInSeconds, now);
  }

  async issueArchive(archive: Archive, expiresInSeconds: number, now: Date): Promise<IssuedLink> {
    return this.link({ archiveId: archive.id, clientId: archive.clientId }, expiresInSeconds, now);
  }

  private async link(
    target: { clientId: string } & ({ recordingId: string } | { archiveId: string }),
    expiresInSeconds: number,
    now: Date,
  ): Promise<IssuedLink> {
    const token = newLinkToken();
    const expiresAt = new Date(now.getTime() + expiresInSeconds * 1000).toISOString();
    await this.tokens.save(token, { ...target, expiresAt } as LinkTokenRecord);
    return { url: `${this.publicApiUrl.replace(/\/+$/, '')}/v1/links/${token}`, expiresAt };
  }
}
