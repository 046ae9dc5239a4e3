/**
 * Manage client API keys in the recordings table, deployed or local.
 *
 *   npm run api-key -- create --client acme [--name "Acme production"]
 *   npm run api-key -- list
 *   npm run api-key -- revoke key_01J...
 *   npm run api-key -- webhook --client acme --url https://hooks.acme.example/recordings
 *
 * The table comes from --table, else TABLE_NAME; --local uses the running local mode (.local/endpoints.json).
 * Credentials and region come from the usual AWS environment (profile, SSO, variables).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApiKeyStore } from '../lambdas/store/api-key-store.js';
import { newWebhookSecret, WebhookSettingsStore } from '../lambdas/webhooks/webhook-settings.js';

const USAGE = `usage: npm run api-key -- <create|list|revoke|webhook> [options]
  create  --client <id> [--name <label>]     prints the new key once
  list                                       keys with client, state and dates (never the key)
  revoke  <keyId>                            the key stops working within 30 s
  webhook --client <id> --url <https url>    sets the client's webhook endpoint, prints its signing secret
options: --table <name> (default $TABLE_NAME)  --local (the running local mode)`;

const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function localTable(): string {
  let endpoints: { dynamodb?: string; tableName?: string };
  try {
    endpoints = JSON.parse(readFileSync('.local/endpoints.json', 'utf8'));
  } catch {
    fail('Local mode is not running here (no .local/endpoints.json): start it with `npm start`.');
  }
  if (!endpoints.dynamodb) fail('.local/endpoints.json names no dynamodb endpoint.');
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  return endpoints.tableName ?? 'recordings';
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      client: { type: 'string' },
      name: { type: 'string' },
      url: { type: 'string' },
      table: { type: 'string' },
      local: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, argument] = positionals;
  if (values.help || !command) fail('');
  const table = values.local ? localTable() : (values.table ?? process.env.TABLE_NAME);
  if (!table) fail('Name the table with --table or TABLE_NAME (the stack output TableName), or use --local.');
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const keys = new ApiKeyStore(documents, table);

  switch (command) {
    case 'create': {
      if (!values.client || !CLIENT_ID.test(values.client))
        fail('--client must be 1–64 of A-Z a-z 0-9 . _ -');
      const { key, record } = await keys.create({
        clientId: values.client,
        name: values.name ?? values.client,
      });
      console.log(`Created ${record.keyId} for client ${record.clientId}.`);
      console.log(`API key (shown once, store it now): ${key}`);
      return;
    }
    case 'list': {
      const records = await keys.list();
      if (records.length === 0) console.log('No API keys.');
      for (const record of records) {
        console.log(
          `${record.keyId}  client=${record.clientId}  name=${JSON.stringify(record.name)}  created=${record.createdAt}  ${record.revokedAt ? `REVOKED ${record.revokedAt}` : 'active'}`,
        );
      }
      return;
    }
    case 'revoke': {
      if (!argument) fail('revoke needs the keyId (see `list`).');
      if (!(await keys.revoke(argument))) fail(`No key ${argument}.`);
      console.log(`Revoked ${argument}; it stops working within 30 seconds.`);
      return;
    }
    case 'webhook': {
      if (!values.client || !CLIENT_ID.test(values.client))
        fail('--client must be 1–64 of A-Z a-z 0-9 . _ -');
      let url: URL;
      try {
        url = new URL(values.url ?? '');
      } catch {
        fail('--url must be an absolute https URL.');
      }
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(values.local && loopback)) fail('--url must use https.');
      const secret = newWebhookSecret();
      await new WebhookSettingsStore(documents, table).set(values.client, { url: url.toString(), secret });
      console.log(`Webhooks for ${values.client} now go to ${url}.`);
      console.log(`Signing secret (shown once; verify webhook-signature with it): ${secret}`);
      return;
    }
    default:
      fail(`Unknown command ${command}.`);
  }
}

main().catch((error: unknown) => {
  console.error(`api-key failed: ${(error as Error).message}`);
  process.exit(1);
});
