import * as path from 'node:path';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag.js';

/** The repository root: the bundler's project root, the lock file and the handlers live under it. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const POWERTOOLS_SERVICE_NAME = 'meeting-recorder';
export const METRICS_NAMESPACE = 'MeetingRecorder';

export interface LambdaFunctionProps {
  /** Handler module relative to `lambdas/handlers`, without extension, e.g. `api/get-recording`. */
  readonly handler: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * One Lambda function of the project: bundled locally with esbuild (ESM, minified, source maps), Node 24 on
 * ARM64, X-Ray active, its own log group with a retention, and its own role holding no managed policy:
 * it may write to its log group and nothing else until a construct grants it exactly what it needs.
 */
export class LambdaFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  /** Every permission this project grants the function; the role's DefaultPolicy holds only CDK's own. */
  readonly permissions: iam.Policy;
  readonly logGroup: logs.LogGroup;
  readonly handlerName: string;

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id);
    this.handlerName = props.handler;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.handler}`,
    });
    this.permissions = new iam.Policy(this, 'Permissions', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'lambdas', 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      role: this.role,
      environment: {
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // Bundle the SDK too, so the deployed code runs the versions the tests ran.
        externalModules: [],
        // Some CommonJS dependencies call require() at run time; ESM has none unless we make one.
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        forceDockerBundling: false,
      },
    });

    this.function.node.addDependency(this.permissions);

    // CDK writes its own grants (X-Ray, event sources) into the role's DefaultPolicy.
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      Validations.of(defaultPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Added by CDK for X-Ray tracing (xray:PutTraceSegments/PutTelemetryRecords) and stream event sources ' +
          '(dynamodb:ListStreams): these actions support no resource-level permissions.',
      });
    }
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  addEnvironment(key: string, value: string): void {
    this.function.addEnvironment(key, value);
  }

  /** Acknowledges one wildcard finding of this function's own permissions, with the reason it is needed. */
  acknowledgeWildcardResource(resource: string, reason: string): void {
    acknowledgeWildcardResource(this.permissions, resource, reason);
  }

  /** Lets the function read one secret's value. */
  allowSecretRead(secret: secretsmanager.ISecret): void {
    this.allow(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
  }

  /** Grants the function one more permission (kept in its `Permissions` policy). */
  allow(statement: iam.PolicyStatement): void {
    this.permissions.addStatements(statement);
  }
}
