import type { TestProject } from 'vitest/node';
import { type EmulatorEndpoints, type Resources, startEmulators } from '../../local/emulators/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: { endpoints: EmulatorEndpoints; resources: Resources; env: Record<string, string> };
  }
}

/**
 * Global setup of the `integration` project: one DynamoDB Local + s3rver + SES emulator for the whole run,
 * on free ports, with the table and the bucket created. The emulator environment (see
 * local/emulators/env.ts) is put into process.env here, before the test workers are forked, so every
 * worker inherits it; it is also available as `inject('emulators')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const emulators = await startEmulators({ ports: { dynamodb: 0, s3: 0, ses: 0 } });
  Object.assign(process.env, emulators.env);
  project.provide('emulators', {
    endpoints: emulators.endpoints,
    resources: emulators.resources,
    env: emulators.env,
  });
  return () => emulators.stop();
}
