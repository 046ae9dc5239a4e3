import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLocalMode } from './local-mode.js';
import { localApiKeys, localPorts } from './settings.js';

// `npm start`: local mode until Ctrl-C. Data and endpoints.json live in .local/ (LOCAL_DATA_DIR).
const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? '.local');
const endpointsFile = join(dataDir, 'endpoints.json');
const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
console.log('Starting local mode (DynamoDB Local, s3rver, SES emulator, workflow runner, API)…');
const starting = startLocalMode({ ports: localPorts(), dataDir, apiKeys: localApiKeys(), log });

// Installed before startup completes: a Ctrl-C while starting must still stop what already runs.
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping local mode…`);
  rmSync(endpointsFile, { force: true });
  const running = await starting.catch(() => undefined);
  await running?.stop();
  console.log('Stopped.');
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => void shutdown(signal));

const local = await starting;
if (stopping) await new Promise(() => {});

mkdirSync(dataDir, { recursive: true });
const endpoints = {
  ...local.endpoints,
  apiKeys: local.apiKeys.map(({ clientId, key }) => ({ clientId, key })),
};
writeFileSync(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);

const [firstKey] = local.apiKeys;
console.log(`
Local mode is ready.
  API            ${local.endpoints.api}   (GET /v1/health, /v1/openapi.json)
  API keys       ${local.apiKeys.map(({ clientId, key }) => `${clientId}: ${key}`).join(', ')}
  Mail (SES UI)  ${local.endpoints.ses}/
  Demo meeting   ${local.endpoints.demoMeeting}
  S3 (s3rver)    ${local.endpoints.s3}   bucket ${local.env.BUCKET_NAME}
  DynamoDB Local ${local.endpoints.dynamodb}   table ${local.env.TABLE_NAME}
  Step Functions ${local.endpoints.sfn}
  SQS (webhooks) ${local.endpoints.sqs}
  Data           ${dataDir}   (endpoints in ${endpointsFile})

Try:
  curl -s -X POST ${local.endpoints.api}/v1/recordings \\
    -H 'authorization: Bearer ${firstKey?.key}' -H 'content-type: application/json' \\
    -d '{"meetingId":"demo","meetingUrl":"${local.endpoints.demoMeeting}","host":{"email":"host@example.com"},"maxDurationSeconds":60}'

Ctrl-C stops everything.
`);
