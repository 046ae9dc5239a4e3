/**
 * Cost per recorded hour on AWS list prices, from the synthesized task size (lib/config.ts defaults) and the
 * recording's bitrate (bench/results/recorder-efficiency.json when that benchmark has run, else 1.3 Mbit/s).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from '../lib/config.js';
import { RESULTS_DIR, table, writeResult } from './support/report.js';

/**
 * AWS list prices, us-east-1, as the author knows them from AWS's public pricing pages (not fetched: this
 * machine has no internet). Used for the estimate dated below; check them before quoting.
 */
const PRICES_DATE = '2026-11-23';
const AWS = {
  fargateVcpuHour: { X86_64: 0.04048, ARM64: 0.03238 },
  fargateGbHour: { X86_64: 0.004445, ARM64: 0.00356 },
  /** Fargate Spot, x86: varies by hour and zone; a typical us-east-1 figure, approximate. */
  fargateSpotVcpuHour: 0.01334,
  fargateSpotGbHour: 0.00146,
  /** Public IPv4 address, per hour: the recorder task runs in a public subnet with a public IP. */
  publicIpv4Hour: 0.005,
  s3StandardGbMonth: 0.023,
  s3PutPer1000: 0.005,
  s3GetPer1000: 0.0004,
  lambdaRequestPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  stepFunctionsStandardPer1000Transitions: 0.025,
  sesPer1000Emails: 0.1,
  dynamoOnDemandPerMillionWrites: 0.625,
  dynamoOnDemandPerMillionReads: 0.125,
  dataTransferOutGb: 0.09,
} as const;

/** What one recording does, from the code (file named on each line). */
const PER_RECORDING = {
  /** Seconds of task time around the recording: image pull, Xvfb/PulseAudio/Chromium start, finalising. */
  taskOverheadSeconds: 60,
  /** recorder-container/src/config.ts UPLOAD_PART_BYTES default. */
  partBytes: 8 * 1024 * 1024,
  /** Start + Complete of the multipart upload, a HEAD by finalize-recording. */
  extraPutClassRequests: 2,
  /**
   * Lambda invocations: authorizer + start, authorizer + stop, finalize-recording, notify-host, two webhook
   * Lambdas per status change (4 changes), a few status polls by the client (authorizer + get, 3 times).
   */
  lambdaInvocations: 2 + 2 + 1 + 1 + 8 + 6,
  lambdaMemoryGb: 0.5,
  lambdaAverageSeconds: 0.15,
  /** RunRecorder, FinalizeRecording, NotifyHost, Succeed, plus the execution start. */
  stateTransitions: 5,
  emails: 1,
  /**
   * DynamoDB write units: the start transaction (3 items, transactional writes cost double, two GSIs on the
   * recording), 3 status transitions with their GSI copies, the lock release, 3 warnings, taskArn, the email
   * facts, the webhook idempotency marks; rounded up.
   */
  dynamoWrites: 60,
  /** The recorder polls stopRequestedAt every STOP_POLL_SECONDS (2 s): strongly consistent reads. */
  dynamoReadsPerRecordedHour: 3600 / 2,
  dynamoOtherReads: 40,
} as const;

/** A meeting busier than the test page (several camera tiles) runs at about this bitrate with our preset. */
const DEFAULT_BITRATE_MBPS = 1.3;

/** The 720p recorder's bitrate measured by the recorder-efficiency benchmark, when it has run. */
function measuredBitrate(): { mbps: number; source: string } {
  const path = join(RESULTS_DIR, 'recorder-efficiency.json');
  if (existsSync(path)) {
    const result = JSON.parse(readFileSync(path, 'utf8')) as {
      summary?: { resolution: string; recorder: { kbps?: unknown } }[];
    };
    const kbps = result.summary?.find((row) => row.resolution === '720p')?.recorder.kbps;
    if (typeof kbps === 'number')
      return {
        mbps: Math.round(kbps) / 1000,
        source: 'bench/results/recorder-efficiency.json, 720p test page',
      };
  }
  return {
    mbps: DEFAULT_BITRATE_MBPS,
    source: 'assumed busy 720p meeting (recorder-efficiency has not run)',
  };
}

interface Scenario {
  name: string;
  vcpuHour: number;
  gbHour: number;
}

function costPerRecordedHour(scenario: Scenario, bitrateMbps: number, retentionDays: number) {
  const vcpu = CONFIG_DEFAULTS.recorderCpu / 1024;
  const memoryGb = CONFIG_DEFAULTS.recorderMemoryMiB / 1024;
  const taskHours = 1 + PER_RECORDING.taskOverheadSeconds / 3600;
  const fileBytes = (bitrateMbps * 1e6 * 3600) / 8;
  const fileGb = fileBytes / 1e9;
  const parts = Math.ceil(fileBytes / PER_RECORDING.partBytes);
  const lines: Record<string, number> = {
    'Fargate vCPU': vcpu * taskHours * scenario.vcpuHour,
    'Fargate memory': memoryGb * taskHours * scenario.gbHour,
    'Public IPv4 of the task': taskHours * AWS.publicIpv4Hour,
    [`S3 storage, ${retentionDays} days`]: fileGb * AWS.s3StandardGbMonth * (retentionDays / 30),
    'S3 requests (multipart parts)':
      ((parts + PER_RECORDING.extraPutClassRequests) / 1000) * AWS.s3PutPer1000 +
      (1 / 1000) * AWS.s3GetPer1000,
    Lambda:
      (PER_RECORDING.lambdaInvocations / 1e6) * AWS.lambdaRequestPerMillion +
      PER_RECORDING.lambdaInvocations *
        PER_RECORDING.lambdaMemoryGb *
        PER_RECORDING.lambdaAverageSeconds *
        AWS.lambdaArmGbSecond,
    'Step Functions': (PER_RECORDING.stateTransitions / 1000) * AWS.stepFunctionsStandardPer1000Transitions,
    SES: (PER_RECORDING.emails / 1000) * AWS.sesPer1000Emails,
    DynamoDB:
      (PER_RECORDING.dynamoWrites / 1e6) * AWS.dynamoOnDemandPerMillionWrites +
      ((PER_RECORDING.dynamoReadsPerRecordedHour + PER_RECORDING.dynamoOtherReads) / 1e6) *
        AWS.dynamoOnDemandPerMillionReads,
  };
  const total = Object.values(lines).reduce((sum, value) => sum + value, 0);
  return { lines, total, fileGb, parts, taskHours, downloadOnce: fileGb * AWS.dataTransferOutGb };
}

/**
 * Public list prices of hosted recording, per minute, as the author remembers them from the vendors' pricing
 * pages (not fetched here: no internet). Approximate; check before quoting.
 */
const COMPETITORS = [
  { vendor: 'Dyte / Cloudflare RealtimeKit', perMinute: 0.01, note: 'composite recording, ≈ $0.010/min' },
  { vendor: 'Recall.ai', perMinute: 0.5 / 60, note: 'recording bot, ≈ $0.50/h (was $0.70/h)' },
  { vendor: 'Agora Cloud Recording (HD)', perMinute: 5.99 / 1000, note: '≈ $5.99 per 1,000 HD minutes' },
] as const;

const TARGET_PER_HOUR = 0.05;

function main(): void {
  const bitrate = measuredBitrate();
  const retentionDays = CONFIG_DEFAULTS.retentionDays;
  const arch = CONFIG_DEFAULTS.recorderArchitecture;
  const scenarios: Scenario[] = [
    {
      name: `default: ${arch} on demand`,
      vcpuHour: AWS.fargateVcpuHour[arch],
      gbHour: AWS.fargateGbHour[arch],
    },
    { name: 'ARM64 on demand', vcpuHour: AWS.fargateVcpuHour.ARM64, gbHour: AWS.fargateGbHour.ARM64 },
    {
      name: 'X86_64 Fargate Spot (approx.)',
      vcpuHour: AWS.fargateSpotVcpuHour,
      gbHour: AWS.fargateSpotGbHour,
    },
  ];
  const results = scenarios.map((scenario) => ({
    scenario: scenario.name,
    ...costPerRecordedHour(scenario, bitrate.mbps, retentionDays),
  }));

  const [first] = results;
  const lineNames = Object.keys(first!.lines);
  const usd = (value: number) => `$${value.toFixed(value < 0.001 ? 6 : 4)}`;
  console.log(
    `Cost per recorded hour at 720p, us-east-1 list prices as of ${PRICES_DATE} (author's knowledge, not fetched)`,
  );
  console.log(
    `Task ${CONFIG_DEFAULTS.recorderCpu / 1024} vCPU / ${CONFIG_DEFAULTS.recorderMemoryMiB / 1024} GB, ` +
      `${bitrate.mbps} Mbit/s (${bitrate.source}) = ${first!.fileGb.toFixed(3)} GB and ${first!.parts} parts per hour, ` +
      `kept ${retentionDays} days\n`,
  );
  console.log(
    table(
      ['', ...results.map((result) => result.scenario)],
      [
        ...lineNames.map((line) => [line, ...results.map((result) => usd(result.lines[line]!))]),
        ['total per recorded hour', ...results.map((result) => usd(result.total))],
        ['vs target $0.05/h', ...results.map((result) => `${(result.total / TARGET_PER_HOUR).toFixed(2)}×`)],
        ['(host downloads once: egress)', ...results.map((result) => usd(result.downloadOnce))],
      ],
    ),
  );
  console.log(
    '\nHosted recording, public list prices (approximate, from memory of the vendors\u2019 pages):',
  );
  const ours = first!.total;
  console.log(
    table(
      ['', 'per minute', 'per hour', 'vs this project (default)'],
      [
        ['this project (default)', usd(ours / 60), usd(ours), '1.00×'],
        ...COMPETITORS.map((c) => [
          c.vendor,
          usd(c.perMinute),
          usd(c.perMinute * 60),
          `${((c.perMinute * 60) / ours).toFixed(1)}×`,
        ]),
      ],
    ),
  );
  const path = writeResult('cost', {
    region: 'us-east-1',
    pricesAsOf: PRICES_DATE,
    pricesSource:
      'AWS public list prices as known to the author (not fetched: no internet); verify before quoting',
    prices: AWS,
    taskSize: {
      cpuUnits: CONFIG_DEFAULTS.recorderCpu,
      memoryMiB: CONFIG_DEFAULTS.recorderMemoryMiB,
      architecture: arch,
    },
    bitrate,
    retentionDays,
    perRecording: PER_RECORDING,
    targetPerRecordedHour: TARGET_PER_HOUR,
    scenarios: results,
    competitors: {
      source: 'vendors\u2019 public pricing pages as remembered; approximate',
      list: COMPETITORS,
    },
  });
  console.log(`\nwrote ${path}`);
}

main();
