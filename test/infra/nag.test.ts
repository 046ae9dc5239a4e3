import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { type RawConfig, resolveConfig } from '../../lib/config.js';
import { RecordingStack } from '../../lib/recording-stack.js';
import { synthesizeStack } from '../../lib/synth-for-local.js';
import { SYNTH_TIMEOUT } from './helpers.js';

/** Synthesizes like bin/app.ts (cdk-nag as a validation plugin) and returns nag's own report too. */
function synthWithNag(config: RawConfig, env?: { account: string; region: string }) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  // The real image asset (staged, not built): its ECR pull permissions are part of what nag must see.
  const stack = new RecordingStack(app, 'NagCheck', {
    config: resolveConfig(config),
    ...(env ? { env } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Throws "Validation failed" on any unacknowledged finding, as `cdk synth` does.
  const assembly = app.synth();
  const report = new AwsSolutionsChecks().validateScope(stack);
  return { assembly, report, stack };
}

const findings = (report: ReturnType<typeof synthWithNag>['report']) =>
  report.violations.map(
    (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );

describe('cdk-nag AwsSolutions', () => {
  it(
    'finds nothing unacknowledged with the defaults',
    () => {
      const { report } = synthWithNag({});
      expect(findings(report)).toEqual([]);
      expect(report.success).toBe(true);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'finds nothing unacknowledged in redirect mode, destroy policy, no access logs, no webhooks, ARM64',
    () => {
      const { report } = synthWithNag({
        linkMode: 'redirect',
        removalPolicy: 'destroy',
        serverAccessLogs: false,
        webhooksEnabled: false,
        recorderArchitecture: 'ARM64',
        alarmEmail: 'ops@example.com',
        senderEmail: 'rec@example.org',
        sesIdentityDomain: 'example.org',
        allowedMeetingOrigins: '*',
      });
      expect(findings(report)).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'finds nothing unacknowledged with a prebuilt image, in ECR or elsewhere',
    () => {
      for (const recorderImage of [
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/recorder:1.4.0',
        'ghcr.io/acme/recorder:1',
      ]) {
        expect(findings(synthWithNag({ recorderImage }).report)).toEqual([]);
      }
    },
    SYNTH_TIMEOUT,
  );

  it(
    'finds nothing unacknowledged in an existing VPC',
    () => {
      const { report, stack } = synthWithNag(
        { vpcId: 'vpc-0123456789abcdef0' },
        { account: '123456789012', region: 'eu-west-1' },
      );
      expect(findings(report)).toEqual([]);
      expect(stack.recorder.vpc.vpcId).toBeDefined();
      const privateSubnets = synthWithNag(
        { vpcId: 'vpc-0123456789abcdef0', recorderSubnetType: 'private' },
        { account: '123456789012', region: 'eu-west-1' },
      );
      expect(findings(privateSubnets.report)).toEqual([]);
      expect(privateSubnets.stack.recorder.assignPublicIp).toBe(false);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'every acknowledgement carries a reason',
    () => {
      const { stack } = synthWithNag({});
      const acknowledgements = stack.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
        .flatMap((m) => Object.entries(m.data as Record<string, string>));
      expect(acknowledgements.length).toBeGreaterThan(5);
      for (const [id, reason] of acknowledgements) {
        expect(reason, id).toMatch(/\w{4,}.*\w{4,}.*\w{4,}/);
      }
    },
    SYNTH_TIMEOUT,
  );
});

/** Every finding cdk-nag would report with no acknowledgement at all, as `constructPath|ruleId`. */
function allFindings(stack: RecordingStack): Set<string> {
  // cdk-nag 3 keeps its acknowledgement check private; switching it off briefly shows the raw findings.
  const proto = NagPack.prototype as unknown as { isAcknowledged: (node: unknown, id: string) => boolean };
  const original = proto.isAcknowledged;
  proto.isAcknowledged = () => false;
  try {
    const report = new AwsSolutionsChecks().validateScope(stack);
    return new Set(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${r.constructPath}|${v.ruleName}`)),
    );
  } finally {
    proto.isAcknowledged = original;
  }
}

describe('acknowledgements', () => {
  it.each([
    ['defaults', {}],
    ['prebuilt image outside ECR', { recorderImage: 'ghcr.io/acme/recorder:1' }],
    [
      'redirect, destroy, no access logs, SES domain',
      {
        linkMode: 'redirect',
        serverAccessLogs: false,
        removalPolicy: 'destroy',
        sesIdentityDomain: 'example.com',
        senderEmail: 'a@example.com',
      },
    ],
  ])(
    'none is stale (%s): each one silences a finding that exists',
    (_name, config) => {
      const { stack } = synthWithNag(config as RawConfig);
      const findings = [...allFindings(stack)].map((f) => f.split('|') as [string, string]);
      const acknowledged = stack.node
        .findAll()
        .flatMap((c) =>
          c.node.metadata
            .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            // Stored as `Annotation::<rule id>`.
            .flatMap((m) =>
              Object.keys(m.data as object).map((id) => ({
                path: c.node.path,
                id: id.replace(/^annotation::/i, ''),
              })),
            ),
        )
        .filter(({ id }) => id.startsWith('AwsSolutions-'));
      const stale = acknowledged.filter(
        ({ path: at, id }) =>
          !findings.some(([p, rule]) => rule === id && (p === at || p.startsWith(`${at}/`))),
      );
      expect(acknowledged.length).toBeGreaterThan(20);
      expect(stale).toEqual([]);
      expect(findings.length).toBeGreaterThan(20);
    },
    SYNTH_TIMEOUT,
  );
});

describe('synth like `cdk synth`', () => {
  it(
    'bundles every function with esbuild (ESM, minified, source maps) without Docker',
    () => {
      const { app, stack } = synthesizeStack({}, { bundle: true });
      const outdir = app.outdir;
      const assets = JSON.parse(
        readFileSync(path.join(outdir, `${stack.stackName}.assets.json`), 'utf8'),
      ) as {
        files: Record<string, { source: { path: string; packaging?: string } }>;
      };
      const bundles = Object.values(assets.files).filter((f) => f.source.packaging === 'zip');
      expect(bundles.length).toBeGreaterThanOrEqual(16);
      for (const bundle of bundles) {
        const dir = path.join(outdir, bundle.source.path);
        const files = readdirSync(dir);
        expect(files).toContain('index.mjs');
        expect(files).toContain('index.mjs.map');
        const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
        expect(code.slice(0, 100)).toMatch(/^import \{ createRequire as __cr \} from 'node:module';/);
        expect(code.slice(0, 100_000).split('\n').length, 'minified').toBeLessThan(50);
      }

      // The bundle of GET /v1/health runs as the Lambda runtime would load it: ESM, with its createRequire banner.
      const template = JSON.parse(
        readFileSync(path.join(outdir, `${stack.stackName}.template.json`), 'utf8'),
      ) as {
        Resources: Record<
          string,
          { Type: string; Properties?: { Description?: string; Code?: { S3Key?: string } } }
        >;
      };
      const health = Object.values(template.Resources).find(
        (r) => r.Properties?.Description === 'GET /v1/health',
      );
      const hash = health?.Properties?.Code?.S3Key?.replace(/\.zip$/, '');
      const bundle = path.join(outdir, `asset.${hash}`, 'index.mjs');
      const script = `
        const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
        const event = { version: '2.0', routeKey: 'GET /v1/health', rawPath: '/v1/health', headers: {},
          requestContext: { http: { method: 'GET', path: '/v1/health' }, requestId: 'r1' }, isBase64Encoded: false };
        const context = { functionName: 'health', awsRequestId: 'r1', getRemainingTimeInMillis: () => 1000 };
        console.log(JSON.stringify(await handler(event, context)));`;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          PATH: process.env.PATH,
          APP_VERSION: '9.9.9',
          POWERTOOLS_TRACE_ENABLED: 'false',
          POWERTOOLS_DEV: 'false',
        },
        encoding: 'utf8',
      });
      const response = JSON.parse(output.trim().split('\n').pop() ?? '{}') as {
        statusCode: number;
        body: string;
      };
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ status: 'ok', version: '9.9.9' });
    },
    SYNTH_TIMEOUT,
  );

  it.runIf(existsSync(path.resolve(import.meta.dirname, '../../recorder-container/Dockerfile')))(
    'stages the recorder image from recorder-container/Dockerfile without node_modules',
    () => {
      const { app, stack } = synthesizeStack({}, { recorderImageAsset: true });
      const assets = JSON.parse(
        readFileSync(path.join(app.outdir, `${stack.stackName}.assets.json`), 'utf8'),
      ) as {
        dockerImages: Record<
          string,
          { source: { directory: string; dockerFile: string; platform?: string } }
        >;
      };
      const [image] = Object.values(assets.dockerImages);
      expect(image?.source.dockerFile).toBe('recorder-container/Dockerfile');
      expect(image?.source.platform).toBe('linux/amd64');
      const staged = path.join(app.outdir, image?.source.directory ?? '');
      expect(existsSync(path.join(staged, 'recorder-container', 'Dockerfile'))).toBe(true);
      expect(existsSync(path.join(staged, 'node_modules'))).toBe(false);
      // Everything the Dockerfile copies from the context is in the staged context.
      const dockerfile = readFileSync(path.join(staged, 'recorder-container', 'Dockerfile'), 'utf8');
      const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) =>
        (m[1] ?? '').trim().split(/\s+/).slice(0, -1),
      );
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) expect(existsSync(path.join(staged, source)), source).toBe(true);
      expect(existsSync(path.join(staged, '.git'))).toBe(false);
    },
    SYNTH_TIMEOUT,
  );
});

describe('the cdk-nag gate', () => {
  it(
    'fails the synth on an unacknowledged finding',
    () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new RecordingStack(app, 'NagGate', {
        config: resolveConfig({}),
        recorderImage: ecs.ContainerImage.fromRegistry('meeting-recorder/recorder:test'),
      });
      new s3.Bucket(stack, 'CarelessBucket');
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(report.violations.map((v) => v.ruleName)).toEqual(
        expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
      );
      expect(
        report.violations.every((v) =>
          v.violatingResources.every((r) => r.constructPath?.includes('CarelessBucket')),
        ),
      ).toBe(true);
    },
    SYNTH_TIMEOUT,
  );
});
