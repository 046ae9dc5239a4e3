/** Writes docs/openapi.json from the API's zod schemas: `npm run openapi`. A test keeps it current. */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../lambdas/http/openapi.js';
import packageJson from '../package.json' with { type: 'json' };

writeFileSync('docs/openapi.json', `${JSON.stringify(openApiDocument(packageJson.version), null, 2)}\n`);
console.log('Wrote docs/openapi.json');
