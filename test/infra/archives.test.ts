import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  envOfFunction,
  logicalId,
  SYNTH_TIMEOUT,
  type Synthesized,
  statementsOfFunction,
  synth,
} from './helpers.js';

describe('archives', () => {
  let s: Synthesized;
  let redirect: Synthesized;
  beforeAll(() => {
    s = synth();
    redirect = synth({ linkMode: 'redirect' });
  }, SYNTH_TIMEOUT);

  it('the stream feeds archive-build only PENDING archive items, one at a time, with a failure queue', () => {
    const table = logicalId(s.assertions, 'AWS::DynamoDB::Table', 'StorageTable');
    s.assertions.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      BatchSize: 1,
      ParallelizationFactor: 10,
      MaximumRetryAttempts: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              dynamodb: { Keys: { sk: { S: ['ARC'] } }, NewImage: { status: { S: ['PENDING'] } } },
            }),
          },
        ],
      },
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [logicalId(s.assertions, 'AWS::SQS::Queue', 'ArchivesBuildFailureQueue'), 'Arn'],
          },
        },
      },
    });
    s.assertions.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Streams several recordings into one ZIP archive',
      Timeout: 900,
    });
    expect(envOfFunction(s.assertions, 'ArchivesBuild')).toMatchObject({
      TABLE_NAME: expect.anything(),
      BUCKET_NAME: expect.anything(),
    });
  });

  it('the builder reads recordings and archive items, and writes only archives', () => {
    const statements = statementsOfFunction(s.assertions, 'ArchivesBuild');
    const leadingKeys = (action: string) =>
      JSON.stringify(statements.find((statement) => actionsOf([statement]).includes(action))?.Condition);
    expect(leadingKeys('dynamodb:GetItem')).toContain('"dynamodb:LeadingKeys":["REC#*","ARC#*"]');
    expect(leadingKeys('dynamodb:UpdateItem')).toContain('"dynamodb:LeadingKeys":["ARC#*"]');
    const put = statements.find((statement) => actionsOf([statement]).includes('s3:PutObject'));
    expect(JSON.stringify(put?.Resource)).toContain('/archives/*');
    expect(JSON.stringify(put?.Resource)).not.toContain('recordings/');
    expect(actionsOf(statements).filter((action) => action.startsWith('s3:'))).not.toContain(
      's3:DeleteObject',
    );
  });

  it('routes POST /v1/archives and GET /v1/archives/{id}; follow-link can sign archives in redirect mode', () => {
    for (const routeKey of ['POST /v1/archives', 'GET /v1/archives/{id}']) {
      s.assertions.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
    for (const fn of ['ApiCreateArchive', 'ApiGetArchive']) {
      const deletes = statementsOfFunction(s.assertions, fn).find((statement) =>
        actionsOf([statement]).includes('s3:DeleteObject'),
      );
      expect(JSON.stringify(deletes?.Resource)).toContain('/archives/*');
      expect(envOfFunction(s.assertions, fn)).toMatchObject({
        LINK_MODE: 'presigned',
        SIGNING_SECRET_ARN: expect.anything(),
      });
    }
    const reads = statementsOfFunction(redirect.assertions, 'ApiFollowLink').find((statement) =>
      actionsOf([statement]).includes('s3:GetObject'),
    );
    expect(JSON.stringify(reads?.Resource)).toContain('/archives/*');
  });
});
