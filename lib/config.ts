/**
 * Typed, validated deployment configuration. Every key is read from CDK context
 * (`cdk deploy -c key=value` or the `context` block of cdk.json), has a default, and is checked at synth:
 * an invalid value or combination stops the synth with a message naming the key.
 */

export const LINK_MODES = ['presigned', 'redirect'] as const;
export type LinkMode = (typeof LINK_MODES)[number];

export const RECORDER_ARCHITECTURES = ['X86_64', 'ARM64'] as const;
export type RecorderArchitecture = (typeof RECORDER_ARCHITECTURES)[number];

export const REMOVAL_POLICIES = ['retain', 'destroy'] as const;
export type RemovalPolicyName = (typeof REMOVAL_POLICIES)[number];

export const RECORDER_SUBNET_TYPES = ['public', 'private'] as const;
export type RecorderSubnetType = (typeof RECORDER_SUBNET_TYPES)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Used when `senderEmail` is not given, so that `cdk synth` works with no context. Never deploy it. */
export const PLACEHOLDER_SENDER_EMAIL = 'recordings@example.com';

/** The hard product limit on one recording. */
export const MAX_DURATION_CAP_SECONDS = 3600;
/** SigV4 presigned URLs cannot live longer than 7 days. */
export const MAX_LINK_TTL_DAYS = 7;

export interface RecordingConfig {
  /**
   * From address of the host email (context `senderEmail`). Must be verified in SES (or belong to
   * `sesIdentityDomain`) before mail can be sent.
   * @default 'recordings@example.com' — a placeholder so that synth works without context; synth warns.
   */
  readonly senderEmail: string;
  /**
   * Domain to verify in SES instead of the single sender address (context `sesIdentityDomain`);
   * `senderEmail` must then belong to it.
   * @default - the sender address itself is the SES identity
   */
  readonly sesIdentityDomain?: string;
  /**
   * Meeting hosts the recorder may open (context `allowedMeetingOrigins`, comma-separated or a JSON
   * list): `meet.example.com`, `*.example.com`, or `*` for any public https host.
   * @default [] — no meeting is allowed until it is set (fail safe); synth warns.
   */
  readonly allowedMeetingOrigins: readonly string[];
  /**
   * Days a recording is kept before the lifecycle rule deletes it (context `retentionDays`);
   * at least `linkTtlDays + 1`.
   * @default 30
   */
  readonly retentionDays: number;
  /**
   * How the emailed link works (context `linkMode`): `presigned` = a 7-day presigned S3 URL signed by a
   * dedicated read-only IAM user; `redirect` = a link to `/v1/links/{token}` answering 302.
   * @default 'presigned'
   */
  readonly linkMode: LinkMode;
  /**
   * Lifetime of the emailed link in days (context `linkTtlDays`), 1–7.
   * @default 7
   */
  readonly linkTtlDays: number;
  /**
   * Hours before the emailed link expires at which the host is reminded, unless the link already downloaded
   * the file (context `linkReminderHours`), 0–144; 0, or as long as the link lives, sends no reminder.
   * @default 24
   */
  readonly linkReminderHours: number;
  /**
   * Deployment cap and default of a recording's length in seconds (context `maxDurationSeconds`), 10–3600.
   * @default 3600
   */
  readonly maxDurationSeconds: number;
  /**
   * Fargate CPU units of the recorder task (context `recorderCpu`); with `recorderMemoryMiB` a valid Fargate pair.
   * @default 1024
   */
  readonly recorderCpu: number;
  /**
   * Fargate memory of the recorder task in MiB (context `recorderMemoryMiB`). Chromium alone needs ≈ 1.1 GB.
   * @default 2048
   */
  readonly recorderMemoryMiB: number;
  /**
   * CPU architecture of the recorder image and task (context `recorderArchitecture`): `X86_64` or `ARM64`.
   * @default 'X86_64'
   */
  readonly recorderArchitecture: RecorderArchitecture;
  /**
   * Seconds without a heartbeat after which the workflow gives the recorder up (context `recorderHeartbeatSeconds`),
   * 30–600. The clock starts when the task is launched, so it must also cover Fargate's pull of the
   * ≈ 600 MB image and the recorder's start; 180 s leaves room for a slow pull, and only delays how soon a
   * crashed recorder's parts are salvaged (nothing is lost either way).
   * @default 180
   */
  readonly recorderHeartbeatSeconds: number;
  /**
   * Seconds the workflow keeps launching the recorder again after a launch failed for want of capacity,
   * throttled lookups or a task that stopped before it recorded (context `launchRetryWindowSeconds`), 0–3600.
   * The recording waits in INVOKED meanwhile, its `launch` field saying why; after it, it ends ERRORED
   * with `launch_failed`.
   * @default 600
   */
  readonly launchRetryWindowSeconds: number;
  /**
   * A prebuilt recorder image to run instead of building recorder-container/Dockerfile (context `recorderImage`),
   * e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/recorder:1.4.0`. It must match `recorderArchitecture`.
   * @default - built from recorder-container/Dockerfile and published as a CDK asset on deploy
   */
  readonly recorderImage?: string;
  /**
   * Existing VPC to run the recorder in (context `vpcId`; needs a `cdk synth` with credentials once to
   * look it up, then cdk.context.json). Its public subnets are used, with a public IP per task.
   * @default - a new VPC with public subnets in two AZs and no NAT gateways
   */
  readonly vpcId?: string;
  /**
   * Which subnets of the VPC the recorder runs in (context `recorderSubnetType`): `public` (a public IP per task,
   * no NAT needed) or `private` (no public IP; the existing VPC must give them egress through NAT). `private`
   * needs `vpcId`: the VPC this stack creates has public subnets only.
   * @default 'public'
   */
  readonly recorderSubnetType: RecorderSubnetType;
  /**
   * Whether the recorder may send UDP to the internet (context `recorderWebRtcUdp`): WebRTC media, for
   * meetings whose servers offer no TURN relay over TLS on 443. Security groups cannot tell public from
   * private addresses: in the VPC this stack creates nothing else lives and private ranges lead nowhere;
   * in an existing VPC (`vpcId`) UDP would reach its private hosts too, so there it is off unless asked.
   * @default - true in the VPC this stack creates, false with `vpcId`
   */
  readonly recorderWebRtcUdp: boolean;
  /**
   * Whether state changes are posted to client webhooks (context `webhooksEnabled`).
   * @default true
   */
  readonly webhooksEnabled: boolean;
  /**
   * Delivery attempts of one webhook event before it goes to the dead-letter queue (context `webhookMaxAttempts`), 1–20.
   * @default 8
   */
  readonly webhookMaxAttempts: number;
  /**
   * Minutes between two runs of the reconciler (context `reconcileIntervalMinutes`), 1–60: it drives every live
   * recording whose workflow no longer runs, or that is past its deadline, to UPLOADED (partial) or ERRORED
   * and frees its meeting. A meeting a lost workflow holds is free again within this time.
   * @default 5
   */
  readonly reconcileIntervalMinutes: number;
  /**
   * What `cdk destroy` does with the bucket, table, keys and logs (context `removalPolicy`): `retain` or `destroy`.
   * @default 'retain'
   */
  readonly removalPolicy: RemovalPolicyName;
  /**
   * Address subscribed to the alarm topic (context `alarmEmail`).
   * @default - alarms go to the SNS topic only
   */
  readonly alarmEmail?: string;
  /**
   * Whether S3 server access logs of the recordings bucket are written to a logs bucket (context `serverAccessLogs`).
   * @default true
   */
  readonly serverAccessLogs: boolean;
  /**
   * Steady-state request rate per second of the API stage (context `apiRateLimit`).
   * @default 50
   */
  readonly apiRateLimit: number;
  /**
   * Burst of requests of the API stage (context `apiBurstLimit`).
   * @default 100
   */
  readonly apiBurstLimit: number;
  /**
   * Retention in days of every log group (context `logRetentionDays`); a value CloudWatch Logs accepts.
   * @default 30
   */
  readonly logRetentionDays: number;
}

export const CONFIG_DEFAULTS: RecordingConfig = {
  senderEmail: PLACEHOLDER_SENDER_EMAIL,
  allowedMeetingOrigins: [],
  retentionDays: 30,
  linkMode: 'presigned',
  linkTtlDays: 7,
  linkReminderHours: 24,
  maxDurationSeconds: MAX_DURATION_CAP_SECONDS,
  recorderCpu: 1024,
  recorderMemoryMiB: 2048,
  recorderArchitecture: 'X86_64',
  recorderHeartbeatSeconds: 180,
  launchRetryWindowSeconds: 600,
  recorderSubnetType: 'public',
  recorderWebRtcUdp: true,
  webhooksEnabled: true,
  webhookMaxAttempts: 8,
  reconcileIntervalMinutes: 5,
  removalPolicy: 'retain',
  serverAccessLogs: true,
  apiRateLimit: 50,
  apiBurstLimit: 100,
  logRetentionDays: 30,
};

export const CONFIG_KEYS = [
  'senderEmail',
  'sesIdentityDomain',
  'allowedMeetingOrigins',
  'retentionDays',
  'linkMode',
  'linkTtlDays',
  'linkReminderHours',
  'maxDurationSeconds',
  'recorderCpu',
  'recorderMemoryMiB',
  'recorderArchitecture',
  'recorderHeartbeatSeconds',
  'launchRetryWindowSeconds',
  'recorderImage',
  'vpcId',
  'recorderSubnetType',
  'recorderWebRtcUdp',
  'webhooksEnabled',
  'webhookMaxAttempts',
  'reconcileIntervalMinutes',
  'removalPolicy',
  'alarmEmail',
  'serverAccessLogs',
  'apiRateLimit',
  'apiBurstLimit',
  'logRetentionDays',
] as const satisfies readonly (keyof RecordingConfig)[];

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid deployment configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Memory (MiB) that Fargate accepts for each CPU value. */
export function fargateMemoryOptions(cpu: number): readonly number[] {
  const range = (from: number, to: number, step: number) =>
    Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
  switch (cpu) {
    case 256:
      return [512, 1024, 2048];
    case 512:
      return range(1024, 4096, 1024);
    case 1024:
      return range(2048, 8192, 1024);
    case 2048:
      return range(4096, 16384, 1024);
    case 4096:
      return range(8192, 30720, 1024);
    case 8192:
      return range(16384, 61440, 4096);
    case 16384:
      return range(32768, 122880, 8192);
    default:
      return [];
  }
}

const EMAIL = /^[^\s@<>(),;:"[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const ORIGIN =
  /^(\*|(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const IMAGE =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\.[a-z0-9-]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/;

type RawValue = unknown;
export type RawConfig = Partial<Record<(typeof CONFIG_KEYS)[number], RawValue>>;

/**
 * Parses raw values (strings from `-c key=value`, or JSON values from cdk.json / tests), applies the
 * defaults and validates every key and combination. Throws one ConfigError listing every problem.
 */
export function resolveConfig(raw: RawConfig = {}): RecordingConfig {
  const problems: string[] = [];
  const present = (key: keyof RawConfig) => raw[key] !== undefined && raw[key] !== null && raw[key] !== '';

  const int = (key: keyof RawConfig, fallback: number, min: number, max: number): number => {
    if (!present(key)) return fallback;
    const value = typeof raw[key] === 'string' ? Number(raw[key]) : raw[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw[key])}`);
      return fallback;
    }
    return value;
  };
  const bool = (key: keyof RawConfig, fallback: boolean): boolean => {
    if (!present(key)) return fallback;
    const value = raw[key];
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    problems.push(`${key} must be true or false, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const oneOf = <T extends string>(key: keyof RawConfig, options: readonly T[], fallback: T): T => {
    if (!present(key)) return fallback;
    const value = raw[key];
    if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
    problems.push(`${key} must be one of ${options.join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const text = (key: keyof RawConfig, pattern: RegExp, what: string): string | undefined => {
    if (!present(key)) return undefined;
    const value = raw[key];
    if (typeof value === 'string' && pattern.test(value.trim())) return value.trim();
    problems.push(`${key} must be ${what}, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const list = (key: keyof RawConfig): string[] => {
    if (!present(key)) return [];
    const value = raw[key];
    let items: unknown = value;
    if (typeof value === 'string') {
      items = value.trim().startsWith('[') ? safeJson(value) : value.split(',');
    }
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
      problems.push(
        `${key} must be a comma-separated string or a list of strings, got ${JSON.stringify(value)}`,
      );
      return [];
    }
    return items.map((item) => item.trim().toLowerCase()).filter((item) => item.length > 0);
  };

  const senderEmail =
    text('senderEmail', EMAIL, 'an email address such as recordings@example.com') ?? PLACEHOLDER_SENDER_EMAIL;
  const sesIdentityDomain = text(
    'sesIdentityDomain',
    DOMAIN,
    'a domain name such as example.com',
  )?.toLowerCase();
  const allowedMeetingOrigins = list('allowedMeetingOrigins');
  for (const origin of allowedMeetingOrigins) {
    if (!ORIGIN.test(origin)) {
      problems.push(
        `allowedMeetingOrigins entry ${JSON.stringify(origin)} must be a host name, *.domain, or * (no scheme, port or path)`,
      );
    }
  }
  const linkTtlDays = int('linkTtlDays', CONFIG_DEFAULTS.linkTtlDays, 1, MAX_LINK_TTL_DAYS);
  const linkReminderHours = int('linkReminderHours', CONFIG_DEFAULTS.linkReminderHours, 0, 144);
  const retentionDays = int('retentionDays', CONFIG_DEFAULTS.retentionDays, 1, 3650);
  const recorderCpu = int('recorderCpu', CONFIG_DEFAULTS.recorderCpu, 256, 16384);
  const recorderMemoryMiB = int('recorderMemoryMiB', CONFIG_DEFAULTS.recorderMemoryMiB, 512, 122880);
  const apiRateLimit = int('apiRateLimit', CONFIG_DEFAULTS.apiRateLimit, 1, 10000);
  const apiBurstLimit = int('apiBurstLimit', CONFIG_DEFAULTS.apiBurstLimit, 1, 5000);
  const logRetentionDays = int('logRetentionDays', CONFIG_DEFAULTS.logRetentionDays, 1, 3653);

  const config: RecordingConfig = {
    senderEmail,
    ...(sesIdentityDomain ? { sesIdentityDomain } : {}),
    allowedMeetingOrigins,
    retentionDays,
    linkMode: oneOf('linkMode', LINK_MODES, CONFIG_DEFAULTS.linkMode),
    linkTtlDays,
    linkReminderHours,
    maxDurationSeconds: int(
      'maxDurationSeconds',
      CONFIG_DEFAULTS.maxDurationSeconds,
      10,
      MAX_DURATION_CAP_SECONDS,
    ),
    recorderCpu,
    recorderMemoryMiB,
    recorderArchitecture: oneOf(
      'recorderArchitecture',
      RECORDER_ARCHITECTURES,
      CONFIG_DEFAULTS.recorderArchitecture,
    ),
    recorderHeartbeatSeconds: int(
      'recorderHeartbeatSeconds',
      CONFIG_DEFAULTS.recorderHeartbeatSeconds,
      30,
      600,
    ),
    launchRetryWindowSeconds: int(
      'launchRetryWindowSeconds',
      CONFIG_DEFAULTS.launchRetryWindowSeconds,
      0,
      3600,
    ),
    ...optional(
      'recorderImage',
      text('recorderImage', IMAGE, 'an image reference such as registry/repository:tag'),
    ),
    ...optional('vpcId', text('vpcId', VPC_ID, 'a VPC id such as vpc-0123456789abcdef0')),
    recorderSubnetType: oneOf(
      'recorderSubnetType',
      RECORDER_SUBNET_TYPES,
      CONFIG_DEFAULTS.recorderSubnetType,
    ),
    recorderWebRtcUdp: bool('recorderWebRtcUdp', CONFIG_DEFAULTS.recorderWebRtcUdp && !present('vpcId')),
    webhooksEnabled: bool('webhooksEnabled', CONFIG_DEFAULTS.webhooksEnabled),
    webhookMaxAttempts: int('webhookMaxAttempts', CONFIG_DEFAULTS.webhookMaxAttempts, 1, 20),
    reconcileIntervalMinutes: int(
      'reconcileIntervalMinutes',
      CONFIG_DEFAULTS.reconcileIntervalMinutes,
      1,
      60,
    ),
    removalPolicy: oneOf('removalPolicy', REMOVAL_POLICIES, CONFIG_DEFAULTS.removalPolicy),
    ...optional('alarmEmail', text('alarmEmail', EMAIL, 'an email address')),
    serverAccessLogs: bool('serverAccessLogs', CONFIG_DEFAULTS.serverAccessLogs),
    apiRateLimit,
    apiBurstLimit,
    logRetentionDays,
  };

  // Combinations.
  if (retentionDays < linkTtlDays + 1) {
    problems.push(
      `retentionDays (${retentionDays}) must be at least linkTtlDays + 1 (${linkTtlDays + 1}): ` +
        'an emailed link must not outlive the file it points to',
    );
  }
  if (!fargateMemoryOptions(recorderCpu).includes(recorderMemoryMiB)) {
    const options = fargateMemoryOptions(recorderCpu);
    problems.push(
      options.length === 0
        ? `recorderCpu (${recorderCpu}) must be a Fargate CPU value: 256, 512, 1024, 2048, 4096, 8192 or 16384`
        : `recorderMemoryMiB (${recorderMemoryMiB}) is not a valid Fargate memory for recorderCpu ${recorderCpu}; ` +
            `use one of ${options[0]}–${options[options.length - 1]} (${options.join(', ')})`,
    );
  }
  if (sesIdentityDomain && !senderEmail.toLowerCase().endsWith(`@${sesIdentityDomain}`)) {
    problems.push(`senderEmail (${senderEmail}) must belong to sesIdentityDomain (${sesIdentityDomain})`);
  }
  if (config.recorderSubnetType === 'private' && !config.vpcId) {
    problems.push(
      'recorderSubnetType private needs vpcId: the VPC this stack creates has public subnets only (and no NAT gateway)',
    );
  }
  if (apiBurstLimit < apiRateLimit) {
    problems.push(`apiBurstLimit (${apiBurstLimit}) must be at least apiRateLimit (${apiRateLimit})`);
  }
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    problems.push(`logRetentionDays (${logRetentionDays}) must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Reads every config key from a construct's context (the app's `-c` flags and cdk.json). */
export function configFromContext(tryGetContext: (key: string) => unknown): RecordingConfig {
  const raw: RawConfig = {};
  for (const key of CONFIG_KEYS) raw[key] = tryGetContext(key);
  return resolveConfig(raw);
}

export interface ConfigWarning {
  /** The config key the warning is about; `cdk synth` shows it as `recording:config:<key>`. */
  readonly key: keyof RecordingConfig;
  readonly message: string;
}

/** What is valid but almost certainly not what a real deployment wants; shown as synth warnings. */
export function configWarnings(config: RecordingConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const warn = (key: keyof RecordingConfig, message: string) => warnings.push({ key, message });
  if (config.senderEmail === PLACEHOLDER_SENDER_EMAIL) {
    warn(
      'senderEmail',
      `senderEmail is not set: using the placeholder ${PLACEHOLDER_SENDER_EMAIL}, which SES will never verify. ` +
        'Deploy with -c senderEmail=you@your-domain.',
    );
  }
  if (config.allowedMeetingOrigins.length === 0) {
    warn(
      'allowedMeetingOrigins',
      'allowedMeetingOrigins is empty: every start request will be refused. ' +
        'Deploy with -c allowedMeetingOrigins=meet.example.com,*.example.org (or * for any public https host).',
    );
  }
  if (config.recorderMemoryMiB < 2048) {
    warn(
      'recorderMemoryMiB',
      `recorderMemoryMiB ${config.recorderMemoryMiB} is below 2048: Chromium alone uses about 1.1 GB.`,
    );
  }
  return warnings;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
