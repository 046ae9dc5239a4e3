/**
 * Writes docs/openapi.json from the API's zod schemas, and the client package's types from it:
 * `npm run openapi`. Tests keep both current.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../lambdas/http/openapi.js';
import packageJson from '../package.json' with { type: 'json' };
import { CLIENT_SCHEMA_PATH, clientSchemaSource } from './client-schema.js';

const document = openApiDocument(packageJson.version);
writeFileSync('docs/openapi.json', `${JSON.stringify(document, null, 2)}\n`);
writeFileSync(CLIENT_SCHEMA_PATH, await clientSchemaSource(document));
console.log(`Wrote docs/openapi.json and ${CLIENT_SCHEMA_PATH}`);
