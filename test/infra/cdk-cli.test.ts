import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

describe('`npx cdk synth` (bin/app.ts through cdk.json)', () => {
  it('synthesizes offline, without credentials or Docker, with cdk-nag on and nothing unacknowledged', () => {
    const output = mkdtempSync(path.join(tmpdir(), 'cdk-cli-synth-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
    const run = spawnSync(
      'npx',
      [
        'cdk',
        'synth',
        '--quiet',
        '--output',
        output,
        '-c',
        'senderEmail=rec@example.org',
        '-c',
        'allowedMeetingOrigins=*',
      ],
      {
        cwd: REPO_ROOT,
        env: { ...env, CDK_DISABLE_VERSION_CHECK: 'true' },
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    const log = `${run.stdout}\n${run.stderr}`;
    expect(run.status, log.slice(-3000)).toBe(0);
    expect(log).not.toMatch(/AwsSolutions-|Validation failed|\[Error/);
    expect(log).not.toMatch(/WARNING .*senderEmail is not set/);
    const template = JSON.parse(readFileSync(path.join(output, 'MeetingRecorder.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    expect(
      Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function').length,
    ).toBeGreaterThanOrEqual(16);
    expect(existsSync(path.join(output, 'MeetingRecorder.assets.json'))).toBe(true);
  }, 300_000);

  it('refuses an invalid configuration with a message naming each key, and no stack trace', () => {
    const run = spawnSync(
      'npx',
      [
        'cdk',
        'synth',
        '--quiet',
        '--output',
        mkdtempSync(path.join(tmpdir(), 'cdk-cli-bad-')),
        '-c',
        'retentionDays=5',
        '-c',
        'linkMode=cdn',
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Invalid deployment configuration:');
    expect(run.stderr).toContain('linkMode must be one of presigned, redirect, got "cdn"');
    expect(run.stderr).toContain('retentionDays (5) must be at least linkTtlDays + 1 (8)');
    expect(run.stderr).not.toMatch(/\bat resolveConfig\b/);
  }, 150_000);
});
