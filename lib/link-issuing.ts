import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { RecordingConfig } from './config.js';
import type { LambdaFunction } from './lambda-function.js';

/**
 * What a function that issues download links needs (lambdas/recordings/service-from-env.ts,
 * linkIssuerFromEnv): the link mode and lifetime, and either the API's URL (redirect) or the signing
 * identity's secret (presigned).
 */
export function allowLinkIssuing(
  fn: LambdaFunction,
  props: {
    config: RecordingConfig;
    publicApiUrl: string;
    signingSecret?: secretsmanager.ISecret | undefined;
  },
): void {
  fn.addEnvironment('LINK_MODE', props.config.linkMode);
  fn.addEnvironment('LINK_TTL_SECONDS', String(props.config.linkTtlDays * 86400));
  if (props.config.linkMode === 'redirect') {
    fn.addEnvironment('PUBLIC_API_URL', props.publicApiUrl);
  } else if (props.signingSecret) {
    fn.addEnvironment('SIGNING_SECRET_ARN', props.signingSecret.secretArn);
    fn.allowSecretRead(props.signingSecret);
  }
}
