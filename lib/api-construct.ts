import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigwv1 from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ARCHIVES_PREFIX } from '../lambdas/archives/archive.js';
import { ROUTES, type RouteDefinition } from '../lambdas/routes.js';
import type { RecordingConfig } from './config.js';
import { tableStatement } from './dynamo-access.js';
import { LambdaFunction } from './lambda-function.js';
import { allowLinkIssuing } from './link-issuing.js';
import { RECORDINGS_PREFIX } from './storage-construct.js';

export interface ApiConstructProps {
  readonly config: RecordingConfig;
  readonly table: dynamodb.ITable;
  readonly logRetention: logs.RetentionDays;
  readonly appVersion: string;
}

export interface ApiRouteProps {
  readonly bucket: s3.IBucket;
  readonly bucketKey: kms.IKey;
  readonly stateMachine: sfn.IStateMachine;
  readonly cursorSecret: secretsmanager.ISecret;
  readonly signingSecret?: secretsmanager.ISecret;
}

/**
 * The HTTP API: a `$default` stage with throttling and JSON access logs, a Lambda REQUEST authorizer that
 * runs on every request (no identity source, no caching, simple responses), and one function per route
 * of lambdas/routes.ts, each with only the permissions its route needs.
 *
 * Built in two steps: the API (and so its URL) exists first, because the workflow's email step needs the
 * URL; `addRoutes` wires the handlers once the workflow exists.
 */
export class ApiConstruct extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly authorizerFunction: LambdaFunction;
  readonly accessLogs: logs.LogGroup;
  readonly routeFunctions = new Map<string, LambdaFunction>();
  private readonly authorizer: HttpLambdaAuthorizer;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ApiConstructProps,
  ) {
    super(scope, id);
    const removalPolicy =
      props.config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Meeting recordings API',
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.config.apiRateLimit, burstLimit: props.config.apiBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: apigwv1.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            // The route's template, never the raw path: in redirect mode a path holds a 7-day link token.
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            clientId: '$context.authorizer.clientId',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    this.authorizerFunction = this.newFunction('Authorizer', 'authorizer', 'Checks client API keys');
    this.authorizerFunction.allow(tableStatement(props.table, ['GetItem'], { leadingKeys: ['APIKEY#*'] }));
    this.authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction.function, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // No identity source and no cache: the authorizer runs for every request, so that a missing header
      // is answered by the handlers in the contract's error shape rather than by API Gateway.
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });
  }

  /** The API's base URL, ending in `/`. */
  get url(): string {
    return `https://${this.httpApi.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/`;
  }

  /** The routes of lambdas/routes.ts deployed in this link mode. */
  static routesFor(config: RecordingConfig): RouteDefinition[] {
    return ROUTES.filter((route) => !route.redirectModeOnly || config.linkMode === 'redirect');
  }

  addRoutes(routeProps: ApiRouteProps): void {
    for (const route of ApiConstruct.routesFor(this.props.config)) {
      const fn = this.newFunction(
        pascal(route.handler),
        `api/${route.handler}`,
        `${route.method} ${route.path}`,
        route.timeoutSeconds,
      );
      this.routeFunctions.set(route.handler, fn);
      this.grantRoute(route.handler, fn, routeProps);
      const routes = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${pascal(route.handler)}Integration`, fn.function, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
        }),
        ...(route.authorized ? { authorizer: this.authorizer } : {}),
      });
      if (!route.authorized) {
        for (const r of routes) {
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is public by contract (docs/api.md: health, OpenAPI document, emailed link tokens).`,
          });
        }
      }
    }
    // Any other method or path: the contract's 404 body instead of API Gateway's own `{"message":"Not Found"}`.
    const notFound = this.newFunction(
      'NotFound',
      'api/not-found',
      'Any other route: 404 in the contract shape',
    );
    this.routeFunctions.set('not-found', notFound);
    const defaultRoute = new apigw.HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('NotFoundIntegration', notFound.function, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
    });
    Validations.of(defaultRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers 404; it reads nothing and needs no key.',
    });
    // An empty IdentitySource list is what "none" means, but omitting the property says it unambiguously.
    for (const child of this.httpApi.node.findAll()) {
      if (child instanceof apigw.CfnAuthorizer) child.addPropertyDeletionOverride('IdentitySource');
    }
  }

  private newFunction(id: string, handler: string, description: string, timeoutSeconds = 10): LambdaFunction {
    const { config, table, logRetention, appVersion } = this.props;
    return new LambdaFunction(this, id, {
      handler,
      description,
      logRetention,
      removalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      memorySize: 512,
      timeout: Duration.seconds(timeoutSeconds),
      environment: { TABLE_NAME: table.tableName, APP_VERSION: appVersion },
    });
  }

  /** What each route may do; an unknown route gets nothing beyond its log group. */
  private grantRoute(handler: string, fn: LambdaFunction, p: ApiRouteProps): void {
    const { config, table } = this.props;
    const recordings = p.bucket.arnForObjects(`${RECORDINGS_PREFIX}*`);
    const archives = p.bucket.arnForObjects(`${ARCHIVES_PREFIX}*`);
    const linkEnvironment = () => {
      fn.addEnvironment('BUCKET_NAME', p.bucket.bucketName);
      allowLinkIssuing(fn, { config, publicApiUrl: this.url, signingSecret: p.signingSecret });
    };
    switch (handler) {
      case 'start-recording':
        fn.addEnvironment('BUCKET_NAME', p.bucket.bucketName);
        fn.addEnvironment('STATE_MACHINE_ARN', p.stateMachine.stateMachineArn);
        fn.addEnvironment('ALLOWED_MEETING_ORIGINS', config.allowedMeetingOrigins.join(','));
        fn.addEnvironment('MAX_DURATION_SECONDS', String(config.maxDurationSeconds));
        fn.addEnvironment('RETENTION_DAYS', String(config.retentionDays));
        // The recording, its meeting lock and the idempotency record are put in one transaction (and
        // deleted together if the execution cannot start).
        fn.allow(tableStatement(table, ['GetItem', 'PutItem', 'DeleteItem']));
        fn.allow(
          new iam.PolicyStatement({
            actions: ['states:StartExecution'],
            resources: [p.stateMachine.stateMachineArn],
          }),
        );
        break;
      case 'list-recordings':
        fn.addEnvironment('CURSOR_SECRET_ARN', p.cursorSecret.secretArn);
        fn.allow(tableStatement(table, ['Query'], { indexes: ['byClient', 'byMeeting'] }));
        fn.allowSecretRead(p.cursorSecret);
        break;
      case 'get-recording':
        fn.allow(tableStatement(table, ['GetItem']));
        break;
      // PutItem and DeleteItem on the POST routes: the claim and the answer of an Idempotency-Key.
      case 'stop-recording':
        fn.allow(tableStatement(table, ['GetItem', 'PutItem', 'DeleteItem', 'UpdateItem']));
        break;
      case 'delete-recording':
        fn.addEnvironment('BUCKET_NAME', p.bucket.bucketName);
        fn.allow(tableStatement(table, ['GetItem', 'UpdateItem']));
        fn.allow(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [recordings] }));
        fn.acknowledgeWildcardResource(
          recordings,
          'Deletes the one recording asked for; keys are per recording.',
        );
        break;
      case 'bulk-delete-recordings':
        fn.addEnvironment('BUCKET_NAME', p.bucket.bucketName);
        fn.allow(
          tableStatement(table, ['GetItem', 'PutItem', 'DeleteItem', 'UpdateItem', 'Query'], {
            indexes: ['byMeeting'],
          }),
        );
        fn.allow(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [recordings] }));
        fn.acknowledgeWildcardResource(
          recordings,
          "Deletes the recordings asked for, each checked to be the client's; keys are per recording.",
        );
        break;
      // Archives: find the recordings, write or read the archive item, and sign its URL (redirect mode: a
      // token item); an archive that lost a recording is deleted.
      case 'create-archive':
      case 'get-archive':
        linkEnvironment();
        fn.allow(tableStatement(table, ['GetItem', 'PutItem', 'DeleteItem']));
        fn.allow(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [archives] }));
        fn.acknowledgeWildcardResource(archives, "Deletes the client's archive that lost a recording.");
        break;
      case 'create-link':
        linkEnvironment();
        fn.allow(tableStatement(table, ['GetItem', 'PutItem', 'DeleteItem']));
        break;
      case 'follow-link':
        linkEnvironment();
        // UpdateItem notes the first download, so that the link reminder skips a host who has the file.
        fn.allow(tableStatement(table, ['GetItem', 'UpdateItem']));
        // Signs a minutes-long URL with its own credentials, so it must be able to read what it signs.
        fn.allow(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [recordings, archives] }));
        fn.allow(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [p.bucketKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
          }),
        );
        fn.acknowledgeWildcardResource(recordings, 'Signs links to any recording whose token is valid.');
        fn.acknowledgeWildcardResource(archives, 'Signs links to any archive whose token is valid.');
        break;
      default:
        // health, openapi: no AWS access.
        break;
    }
  }
}

function pascal(name: string): string {
  return name
    .split(/[-/]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
