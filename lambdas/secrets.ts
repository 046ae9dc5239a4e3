import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tracer } from './observability.js';

let secretsManager: SecretsManagerClient | undefined;
const cache = new Map<string, Promise<string>>();

/**
 * A secret's value, read once per cold start: from the variable `<name>` when the deployment passes
 * it directly (local mode), else from the Secrets Manager secret whose ARN is in `<name>_ARN`.
 */
export function secretValue(name: string): Promise<string> {
  const cached = cache.get(name);
  if (cached) return cached;
  const direct = process.env[name];
  const arn = process.env[`${name}_ARN`];
  const loading = direct
    ? Promise.resolve(direct)
    : arn
      ? readSecret(arn)
      : Promise.reject(new Error(`Neither ${name} nor ${name}_ARN is set.`));
  cache.set(name, loading);
  loading.catch(() => cache.delete(name));
  return loading;
}

async function readSecret(arn: string): Promise<string> {
  secretsManager ??= tracer.captureAWSv3Client(new SecretsManagerClient({}));
  const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error(`Secret ${arn} has no string value.`);
  return SecretString;
}
