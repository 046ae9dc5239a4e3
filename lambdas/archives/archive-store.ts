import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ARCHIVE_BUILD_DEADLINE_SECONDS, type Archive, type ArchiveError } from './archive.js';

export const archiveKey = (id: string) => ({ pk: `ARC#${id}`, sk: 'ARC' });
/** The sort key of every archive item; the builder's stream filter selects on it. */
export const ARCHIVE_SORT_KEY = 'ARC';

/** DynamoDB's TTL sweeps the item a day after it stops mattering; every read checks the times itself. */
const TTL_MARGIN_SECONDS = 86_400;
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Archive items (`ARC#<id>`); docs/internals.md has the layout. Writing a PENDING item starts a build. */
export class ArchiveStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Archive | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: archiveKey(id), ConsistentRead: true }),
    );
    return Item?.type === 'archive' ? fromItem(Item) : undefined;
  }

  /**
   * Writes a PENDING archive, which the builder picks up from the table's stream. `replacing` is the
   * generation of the item this one replaces (a failed or expired build), or undefined when there was none;
   * false when another request wrote first.
   */
  async request(archive: Archive, replacing: string | undefined): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...archiveKey(archive.id),
            type: 'archive',
            ...archive,
            ttl: epochSeconds(archive.requestedAt) + ARCHIVE_BUILD_DEADLINE_SECONDS + TTL_MARGIN_SECONDS,
          },
          ...(replacing === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#generation = :replacing',
                ExpressionAttributeNames: { '#generation': 'generation' },
                ExpressionAttributeValues: { ':replacing': replacing },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Records the built file, unless the build was replaced meanwhile (false). */
  async markReady(
    archive: Pick<Archive, 'id' | 'generation'>,
    built: { sizeBytes: number; readyAt: string; expiresAt: string },
  ): Promise<boolean> {
    return this.finish(archive, {
      status: 'READY',
      ...built,
      ttl: epochSeconds(built.expiresAt) + TTL_MARGIN_SECONDS,
    });
  }

  async markFailed(archive: Pick<Archive, 'id' | 'generation'>, error: ArchiveError): Promise<boolean> {
    return this.finish(archive, { status: 'FAILED', error });
  }

  /** Forgets an archive whose file was deleted (one of its recordings was). */
  async remove(archive: Pick<Archive, 'id' | 'generation'>): Promise<void> {
    await this.documents
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: archiveKey(archive.id),
          ConditionExpression: '#generation = :generation',
          ExpressionAttributeNames: { '#generation': 'generation' },
          ExpressionAttributeValues: { ':generation': archive.generation },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  private async finish(
    archive: Pick<Archive, 'id' | 'generation'>,
    fields: Record<string, unknown>,
  ): Promise<boolean> {
    const names = Object.keys(fields);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: archiveKey(archive.id),
          UpdateExpression: `SET ${names.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
          ConditionExpression: '#status = :pending AND #generation = :generation',
          ExpressionAttributeNames: {
            ...Object.fromEntries(names.map((name, index) => [`#f${index}`, name])),
            '#status': 'status',
            '#generation': 'generation',
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((name, index) => [`:f${index}`, fields[name]])),
            ':pending': 'PENDING',
            ':generation': archive.generation,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function fromItem(item: Record<string, unknown>): Archive {
  return {
    id: item.id as string,
    clientId: item.clientId as string,
    recordingIds: item.recordingIds as string[],
    status: item.status as Archive['status'],
    generation: item.generation as string,
    requestedAt: item.requestedAt as string,
    objectKey: item.objectKey as string,
    sizeBytes: (item.sizeBytes as number | undefined) ?? null,
    readyAt: (item.readyAt as string | undefined) ?? null,
    expiresAt: (item.expiresAt as string | undefined) ?? null,
    error: (item.error as ArchiveError | undefined) ?? null,
  };
}
