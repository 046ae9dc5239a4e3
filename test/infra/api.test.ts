import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambdas/routes.js';
import {
  actionsOf,
  envOfFunction,
  logicalId,
  Match,
  type PolicyStatementJson,
  SYNTH_TIMEOUT,
  type Synthesized,
  statementsOfFunction,
  statementsWithAction,
  synth,
} from './helpers.js';

/** Actions a function holds beyond writing its own logs. */
function grantedActions(s: Synthesized, fragment: string): string[] {
  return actionsOf(statementsOfFunction(s.assertions, fragment)).filter(
    (action) =>
      ![
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ].includes(action),
  );
}

describe('HTTP API', () => {
  let s: Synthesized;
  let redirect: Synthesized;
  beforeAll(() => {
    s = synth({ allowedMeetingOrigins: 'meet.example.com,*.example.org' });
    redirect = synth({ linkMode: 'redirect' });
  }, SYNTH_TIMEOUT);

  it('maps every route of lambdas/routes.ts, and $default to the contract 404; follow-link only in redirect mode', () => {
    const routeKeys = (x: Synthesized) =>
      Object.values(x.assertions.findResources('AWS::ApiGatewayV2::Route'))
        .map((r) => (r.Properties as { RouteKey: string }).RouteKey)
        .sort();
    const all = [...ROUTES.map((r) => `${r.method} ${r.path}`), '$default'].sort();
    expect(routeKeys(redirect)).toEqual(all);
    expect(routeKeys(s)).toEqual(all.filter((key) => key !== 'GET /v1/links/{token}'));
  });

  it('guards exactly the authorized routes with the Lambda authorizer', () => {
    const authorizer = logicalId(s.assertions, 'AWS::ApiGatewayV2::Authorizer', 'ApiKeyAuthorizer');
    for (const route of ROUTES.filter((r) => !r.redirectModeOnly)) {
      s.assertions.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
        ...(route.authorized
          ? { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizer } }
          : { AuthorizationType: 'NONE' }),
      });
    }
  });

  it('runs the authorizer on every request: no identity source, no caching, simple responses', () => {
    s.assertions.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: Match.absent(),
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  it('throttles the stage and writes JSON access logs to a log group with retention', () => {
    s.assertions.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: {
          'Fn::GetAtt': [logicalId(s.assertions, 'AWS::Logs::LogGroup', 'ApiAccessLogs'), 'Arn'],
        },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    s.assertions.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('logs the route template, never the raw path or query that can hold a link token', () => {
    const stage = Object.values(s.assertions.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const format = JSON.parse(stage?.Properties.AccessLogSettings.Format as string) as Record<string, string>;
    expect(format['routeKey']).toBe('$context.routeKey');
    expect(
      Object.values(format).filter((value) => /\$context\.(path|rawPath|rawQueryString)/.test(value)),
    ).toEqual([]);
  });

  it('runs every function on Node 24, ARM64, X-Ray active, with its own log group', () => {
    const functions = Object.values(s.assertions.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThanOrEqual(16);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'meeting-recorder' }) },
      });
    }
    // No function role carries an AWS managed policy.
    for (const role of Object.values(s.assertions.findResources('AWS::IAM::Role'))) {
      expect((role.Properties as { ManagedPolicyArns?: unknown }).ManagedPolicyArns).toBeUndefined();
    }
  });

  it('gives each function the environment of docs/internals.md', () => {
    expect(envOfFunction(s.assertions, 'ApiStartRecording')).toMatchObject({
      TABLE_NAME: { Ref: expect.stringMatching(/^StorageTable/) },
      BUCKET_NAME: { Ref: expect.stringMatching(/^StorageRecordings/) },
      STATE_MACHINE_ARN: { Ref: expect.stringMatching(/^WorkflowStateMachine/) },
      ALLOWED_MEETING_ORIGINS: 'meet.example.com,*.example.org',
      MAX_DURATION_SECONDS: '3600',
      RETENTION_DAYS: '30',
    });
    expect(envOfFunction(s.assertions, 'ApiListRecordings')).toMatchObject({
      CURSOR_SECRET_ARN: { Ref: expect.stringMatching(/^NotificationsCursorSecret/) },
    });
    expect(envOfFunction(s.assertions, 'ApiCreateLink')).toMatchObject({
      LINK_MODE: 'presigned',
      LINK_TTL_SECONDS: '604800',
      SIGNING_SECRET_ARN: { Ref: expect.stringMatching(/^NotificationsSigningSecret/) },
    });
    expect(envOfFunction(redirect.assertions, 'ApiCreateLink')).toMatchObject({
      LINK_MODE: 'redirect',
      PUBLIC_API_URL: expect.anything(),
    });
    expect(envOfFunction(s.assertions, 'ApiHealth')).toMatchObject({
      APP_VERSION: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  describe('least privilege per function', () => {
    it('authorizer: reads API-key items only', () => {
      expect(grantedActions(s, 'ApiAuthorizer')).toEqual(['dynamodb:GetItem']);
      const [statement] = statementsWithAction(
        statementsOfFunction(s.assertions, 'ApiAuthorizer'),
        'dynamodb:GetItem',
      );
      expect(statement?.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APIKEY#*'] },
      });
    });

    it('get-recording: reads, cannot write', () => {
      expect(grantedActions(s, 'ApiGetRecording')).toEqual(['dynamodb:GetItem']);
    });

    it('list-recordings: queries the two indexes and reads the cursor key; cannot scan or write', () => {
      expect(grantedActions(s, 'ApiListRecordings')).toEqual([
        'dynamodb:Query',
        'secretsmanager:GetSecretValue',
      ]);
      const [query] = statementsWithAction(
        statementsOfFunction(s.assertions, 'ApiListRecordings'),
        'dynamodb:Query',
      );
      expect(JSON.stringify(query?.Resource)).toContain('/index/byClient');
      expect(JSON.stringify(query?.Resource)).toContain('/index/byMeeting');
    });

    it('start-recording: writes items and starts this state machine, nothing in S3', () => {
      expect(grantedActions(s, 'ApiStartRecording')).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'states:StartExecution',
      ]);
      const [start] = statementsWithAction(
        statementsOfFunction(s.assertions, 'ApiStartRecording'),
        'states:StartExecution',
      );
      expect(start?.Resource).toEqual({ Ref: expect.stringMatching(/^WorkflowStateMachine/) });
    });

    it('stop-recording: flags the recording and keeps its answer for an Idempotency-Key; no S3, no workflow', () => {
      expect(grantedActions(s, 'ApiStopRecording')).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
    });

    it('delete-recording: deletes recording objects only, cannot read them', () => {
      const statements = statementsOfFunction(s.assertions, 'ApiDeleteRecording');
      expect(grantedActions(s, 'ApiDeleteRecording')).toEqual([
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        's3:DeleteObject',
      ]);
      expect(JSON.stringify(statementsWithAction(statements, 's3:DeleteObject')[0]?.Resource)).toContain(
        '/recordings/*',
      );
    });

    it("bulk-delete-recordings: what delete-recording may do, plus a meeting's recordings by index", () => {
      expect(grantedActions(s, 'ApiBulkDeleteRecordings')).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        's3:DeleteObject',
      ]);
      s.assertions.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'POST /v1/recordings/bulk-delete',
        Timeout: 28,
      });
      const statements = statementsOfFunction(s.assertions, 'ApiBulkDeleteRecordings');
      expect(JSON.stringify(statementsWithAction(statements, 'dynamodb:Query')[0]?.Resource)).toContain(
        '/index/byMeeting',
      );
      expect(JSON.stringify(statementsWithAction(statements, 's3:DeleteObject')[0]?.Resource)).toContain(
        '/recordings/*',
      );
    });

    it('create-link: reads the signing secret (presigned) or stores a token (redirect); never an S3 object', () => {
      expect(grantedActions(s, 'ApiCreateLink')).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'secretsmanager:GetSecretValue',
      ]);
      const [secret] = statementsWithAction(
        statementsOfFunction(s.assertions, 'ApiCreateLink'),
        'secretsmanager:GetSecretValue',
      );
      expect(secret?.Resource).toEqual({ Ref: expect.stringMatching(/^NotificationsSigningSecret/) });
      expect(grantedActions(redirect, 'ApiCreateLink')).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
      ]);
    });

    it('follow-link (redirect mode): reads tokens and recordings, notes a download, decrypts through S3 only', () => {
      expect(grantedActions(redirect, 'ApiFollowLink')).toEqual([
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        's3:GetObject',
      ]);
      const [decrypt] = statementsWithAction(
        statementsOfFunction(redirect.assertions, 'ApiFollowLink'),
        'kms:Decrypt',
      );
      expect(decrypt?.Condition).toEqual({ StringEquals: { 'kms:ViaService': expect.anything() } });
    });

    it('health and openapi: no AWS access at all', () => {
      expect(grantedActions(s, 'ApiHealth')).toEqual([]);
      expect(grantedActions(s, 'ApiOpenapi')).toEqual([]);
      expect(grantedActions(s, 'ApiNotFound')).toEqual([]);
    });

    it('no function may scan, manage tables, or use wildcard actions', () => {
      const all: PolicyStatementJson[] = Object.values(
        s.assertions.findResources('AWS::IAM::Policy'),
      ).flatMap(
        (p) =>
          (p.Properties as { PolicyDocument: { Statement: PolicyStatementJson[] } }).PolicyDocument.Statement,
      );
      const actions = actionsOf(all);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions.filter((a) => /dynamodb:(Create|Delete|Update)Table/.test(a))).toEqual([]);
    });
  });
});
