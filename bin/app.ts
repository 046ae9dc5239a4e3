import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, configFromContext, type RecordingConfig } from '../lib/config.js';
import { RecordingStack } from '../lib/recording-stack.js';

const app = new App();
let config: RecordingConfig;
try {
  config = configFromContext((key) => app.node.tryGetContext(key));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the deployer's to fix: say what, not where in our code.
  console.error(error.message);
  process.exit(1);
}
new RecordingStack(app, app.node.tryGetContext('stackName') ?? 'MeetingRecorder', {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Serverless meeting recording: HTTP API, Fargate recorder, S3, email links',
});
Tags.of(app).add('service', 'meeting-recorder');
// Every synth runs the AWS Solutions checks; any unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
