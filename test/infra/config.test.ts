import { describe, expect, it } from 'vitest';
import {
  CONFIG_DEFAULTS,
  ConfigError,
  configFromContext,
  configWarnings,
  fargateMemoryOptions,
  PLACEHOLDER_SENDER_EMAIL,
  resolveConfig,
} from '../../lib/config.js';

function problemsOf(raw: Parameters<typeof resolveConfig>[0]): readonly string[] {
  try {
    resolveConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('deployment configuration', () => {
  it('has documented defaults that synthesize with no context', () => {
    const config = resolveConfig({});
    expect(config).toEqual(CONFIG_DEFAULTS);
    expect(config.retentionDays).toBe(30);
    expect(config.linkMode).toBe('presigned');
    expect(config.linkTtlDays).toBe(7);
    expect(config.maxDurationSeconds).toBe(3600);
    expect(config.recorderCpu).toBe(1024);
    expect(config.recorderMemoryMiB).toBe(2048);
    expect(config.recorderArchitecture).toBe('X86_64');
    expect(config.recorderHeartbeatSeconds).toBe(180);
    expect(config.reconcileIntervalMinutes).toBe(5);
    expect(config.removalPolicy).toBe('retain');
    expect(config.vpcId).toBeUndefined();
  });

  it('warns about the placeholder sender and the empty origin list', () => {
    const warnings = configWarnings(resolveConfig({}));
    expect(warnings.map((w) => w.key)).toEqual(['senderEmail', 'allowedMeetingOrigins']);
    expect(warnings[0]?.message).toContain(PLACEHOLDER_SENDER_EMAIL);
    expect(warnings[1]?.message).toContain('every start request will be refused');
    expect(
      configWarnings(resolveConfig({ senderEmail: 'rec@acme.io', allowedMeetingOrigins: 'meet.acme.io' })),
    ).toEqual([]);
  });

  it('parses the strings that `cdk -c key=value` gives', () => {
    const config = configFromContext(
      (key) =>
        ({
          senderEmail: 'rec@acme.io',
          sesIdentityDomain: 'acme.io',
          allowedMeetingOrigins: 'meet.acme.io, *.Zoom.example',
          retentionDays: '14',
          linkMode: 'redirect',
          linkTtlDays: '3',
          maxDurationSeconds: '1800',
          recorderCpu: '2048',
          recorderMemoryMiB: '4096',
          recorderArchitecture: 'ARM64',
          vpcId: 'vpc-0123456789abcdef0',
          webhooksEnabled: 'false',
          webhookMaxAttempts: '3',
          removalPolicy: 'destroy',
          alarmEmail: 'ops@acme.io',
          serverAccessLogs: 'false',
        })[key],
    );
    expect(config).toMatchObject({
      senderEmail: 'rec@acme.io',
      sesIdentityDomain: 'acme.io',
      allowedMeetingOrigins: ['meet.acme.io', '*.zoom.example'],
      retentionDays: 14,
      linkMode: 'redirect',
      linkTtlDays: 3,
      maxDurationSeconds: 1800,
      recorderCpu: 2048,
      recorderMemoryMiB: 4096,
      recorderArchitecture: 'ARM64',
      vpcId: 'vpc-0123456789abcdef0',
      webhooksEnabled: false,
      webhookMaxAttempts: 3,
      removalPolicy: 'destroy',
      alarmEmail: 'ops@acme.io',
      serverAccessLogs: false,
    });
  });

  it('lets WebRTC media out over UDP in its own VPC, and in an existing VPC only when asked', () => {
    expect(resolveConfig({}).recorderWebRtcUdp).toBe(true);
    expect(resolveConfig({ recorderWebRtcUdp: 'false' }).recorderWebRtcUdp).toBe(false);
    expect(resolveConfig({ vpcId: 'vpc-0123456789abcdef0' }).recorderWebRtcUdp).toBe(false);
    expect(
      resolveConfig({ vpcId: 'vpc-0123456789abcdef0', recorderWebRtcUdp: 'true' }).recorderWebRtcUdp,
    ).toBe(true);
  });

  it('accepts JSON lists from cdk.json', () => {
    expect(resolveConfig({ allowedMeetingOrigins: ['*'] }).allowedMeetingOrigins).toEqual(['*']);
    expect(
      resolveConfig({ allowedMeetingOrigins: '["a.example.com","b.example.com"]' }).allowedMeetingOrigins,
    ).toEqual(['a.example.com', 'b.example.com']);
  });

  it('refuses a retention shorter than the link lifetime plus one day', () => {
    expect(problemsOf({ retentionDays: 7 })).toEqual([
      expect.stringMatching(/retentionDays \(7\) must be at least linkTtlDays \+ 1 \(8\)/),
    ]);
    expect(resolveConfig({ retentionDays: 8 }).retentionDays).toBe(8);
    expect(resolveConfig({ retentionDays: 2, linkTtlDays: 1 }).retentionDays).toBe(2);
  });

  it('refuses an unknown link mode, architecture or removal policy', () => {
    expect(problemsOf({ linkMode: 'cloudfront' })).toEqual([
      'linkMode must be one of presigned, redirect, got "cloudfront"',
    ]);
    expect(problemsOf({ recorderArchitecture: 'arm' })[0]).toMatch(
      /recorderArchitecture must be one of X86_64, ARM64/,
    );
    expect(problemsOf({ removalPolicy: 'snapshot' })[0]).toMatch(
      /removalPolicy must be one of retain, destroy/,
    );
  });

  it('refuses CPU/memory pairs that Fargate does not offer', () => {
    expect(problemsOf({ recorderCpu: 1024, recorderMemoryMiB: 1024 })[0]).toMatch(
      /recorderMemoryMiB \(1024\) is not a valid Fargate memory for recorderCpu 1024; use one of 2048–8192/,
    );
    expect(problemsOf({ recorderCpu: 1000 })[0]).toMatch(/recorderCpu \(1000\) must be a Fargate CPU value/);
    expect(fargateMemoryOptions(512)).toEqual([1024, 2048, 3072, 4096]);
    expect(resolveConfig({ recorderCpu: 4096, recorderMemoryMiB: 30720 }).recorderMemoryMiB).toBe(30720);
  });

  it('caps the maximum duration at 3600 s and links at 7 days', () => {
    expect(problemsOf({ maxDurationSeconds: 7200 })[0]).toMatch(
      /maxDurationSeconds must be an integer from 10 to 3600/,
    );
    expect(problemsOf({ maxDurationSeconds: '90.5' })[0]).toMatch(/maxDurationSeconds/);
    expect(problemsOf({ linkTtlDays: 8 })[0]).toMatch(/linkTtlDays must be an integer from 1 to 7/);
    expect(problemsOf({ recorderHeartbeatSeconds: 10 })[0]).toMatch(
      /recorderHeartbeatSeconds must be an integer from 30 to 600/,
    );
  });

  it('runs the reconciler every 1 to 60 minutes', () => {
    expect(resolveConfig({ reconcileIntervalMinutes: '15' }).reconcileIntervalMinutes).toBe(15);
    for (const bad of [0, 61, '2.5', 'often']) {
      expect(problemsOf({ reconcileIntervalMinutes: bad })[0]).toMatch(
        /reconcileIntervalMinutes must be an integer from 1 to 60/,
      );
    }
  });

  it('validates addresses, domains, origins, ids and flags', () => {
    expect(problemsOf({ senderEmail: 'not-an-email' })[0]).toMatch(/senderEmail must be an email address/);
    expect(problemsOf({ senderEmail: 'rec@acme.io', sesIdentityDomain: 'other.io' })[0]).toMatch(
      /senderEmail \(rec@acme.io\) must belong to sesIdentityDomain \(other.io\)/,
    );
    expect(problemsOf({ allowedMeetingOrigins: 'https://meet.acme.io/path' })[0]).toMatch(
      /allowedMeetingOrigins entry "https:\/\/meet.acme.io\/path" must be a host name/,
    );
    expect(problemsOf({ vpcId: 'my-vpc' })[0]).toMatch(/vpcId must be a VPC id/);
    expect(problemsOf({ recorderWebRtcUdp: 'sometimes' })[0]).toMatch(
      /recorderWebRtcUdp must be true or false/,
    );
    expect(problemsOf({ recorderSubnetType: 'private' })[0]).toMatch(
      /recorderSubnetType private needs vpcId/,
    );
    expect(
      resolveConfig({ recorderSubnetType: 'private', vpcId: 'vpc-0123456789abcdef0' }).recorderSubnetType,
    ).toBe('private');
    expect(problemsOf({ recorderImage: 'https://x/y' })[0]).toMatch(
      /recorderImage must be an image reference/,
    );
    expect(
      resolveConfig({ recorderImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/recorder:1.4.0' })
        .recorderImage,
    ).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/recorder:1.4.0');
    expect(
      resolveConfig({ recorderImage: `public.ecr.aws/acme/recorder@sha256:${'a'.repeat(64)}` }).recorderImage,
    ).toBeDefined();
    expect(problemsOf({ webhooksEnabled: 'yes' })[0]).toMatch(/webhooksEnabled must be true or false/);
    expect(problemsOf({ logRetentionDays: 31 })[0]).toMatch(/logRetentionDays \(31\) must be one of/);
    expect(problemsOf({ apiRateLimit: 100, apiBurstLimit: 10 })[0]).toMatch(
      /apiBurstLimit \(10\) must be at least/,
    );
  });

  it('reports every problem at once, each naming its key', () => {
    const error = (() => {
      try {
        resolveConfig({ linkMode: 'x', retentionDays: 'ten', recorderCpu: 3 });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(/^Invalid deployment configuration:\n {2}- /);
  });
});
