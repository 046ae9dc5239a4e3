import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

export interface WebhookSettings {
  url: string;
  secret: string;
}

const settingsKey = (clientId: string) => ({ pk: `CLIENT#${clientId}`, sk: 'SETTINGS' });

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Where each client wants its webhooks, and the secret that signs them. */
export class WebhookSettingsStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(clientId: string): Promise<WebhookSettings | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: settingsKey(clientId) }),
    );
    if (typeof Item?.webhookUrl !== 'string' || typeof Item.webhookSecret !== 'string') return undefined;
    return { url: Item.webhookUrl, secret: Item.webhookSecret };
  }

  async set(clientId: string, settings: WebhookSettings): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...settingsKey(clientId),
          type: 'client-settings',
          clientId,
          webhookUrl: settings.url,
          webhookSecret: settings.secret,
        },
      }),
    );
  }
}
