import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CONFIG_DEFAULTS } from '../lib/config.js';
import { bundleRecorder } from '../recorder-container/bundle.js';
import { type ApiKeySpec, putApiKey, type SeededApiKey } from './api-keys.js';
import { type ApiServer, startApiServer } from './api-server.js';
import { startLocalArchiveBuilder } from './archive-builder.js';
import { type DemoMeeting, startDemoMeeting } from './demo-meeting.js';
import { type Emulators, LOCAL_REGION, startEmulators } from './emulators/index.js';
import { localLambdaEnv } from './lambda-env.js';
import { type LocalLifecycle, startLocalLifecycle } from './lifecycle.js';
import { startLocalReconciler, taskStoppedTarget } from './recovery.js';
import { startLocalWebhooks } from './webhooks/index.js';
import { containerRecorderCommand, overrideNames } from './workflow/container-recorder.js';
import {
  type LocalWorkflow,
  parseWorkflowFaults,
  startLocalWorkflow,
  type WorkflowFaults,
} from './workflow/index.js';
import { synthesizedWorkflow } from './workflow/synthesized.js';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:recordings-local`;

export interface LocalModePorts {
  api: number;
  dynamodb: number;
  s3: number;
  ses: number;
  sfn: number;
  sqs: number;
  demo: number;
}

export interface LocalModeOptions {
  /** 0 for any free port. */
  readonly ports: LocalModePorts;
  /** Keeps DynamoDB, S3 and the cursor secret here; without it everything is in memory or temporary. */
  readonly dataDir?: string;
  readonly apiKeys: readonly ApiKeySpec[];
  /** User settings (LINK_MODE, ALLOWED_MEETING_ORIGINS, …, see lambda-env.ts); defaults to process.env. */
  readonly settings?: NodeJS.ProcessEnv;
  /** Wait state name → milliseconds (tests shorten WaitForRecorderExit). */
  readonly waitOverridesMs?: Record<string, number>;
  /** Task state name → milliseconds before each of its retries (tests run the backoff fast). */
  readonly retryIntervalOverridesMs?: Record<string, number | number[]>;
  /**
   * Task states made to fail k times with an AWS error, by state name (local/workflow/workflow-faults.ts);
   * defaults to the `LOCAL_WORKFLOW_FAULTS` setting, e.g. `FinalizeRecording=Lambda.TooManyRequestsException*2`.
   */
  readonly workflowFaults?: WorkflowFaults;
  /** Recorder command line; defaults to the recorder bundled as its container runs it (built at start). */
  readonly recorderCommand?: readonly string[];
  /** Extra environment for every recorder process (timers, part size). */
  readonly recorderEnv?: Record<string, string>;
  /** The workflow's HeartbeatSeconds; default 60 (no image to pull here). */
  readonly recorderHeartbeatSeconds?: number;
  /** How often the reconciler runs; default the deployment's reconcileIntervalMinutes. */
  readonly reconcileIntervalMs?: number;
  /** The time the lifecycle rule sees (tests move it past the retention). */
  readonly lifecycleClock?: () => Date;
  readonly log?: (line: string) => void;
}

export interface LocalEndpoints {
  readonly api: string;
  /** The SES emulator's base URL: web UI at `/`, sent mail at `/store`. */
  readonly ses: string;
  readonly s3: string;
  readonly dynamodb: string;
  readonly sfn: string;
  readonly sqs: string;
  readonly demoMeeting: string;
}

export interface LocalMode {
  readonly endpoints: LocalEndpoints;
  readonly apiKeys: readonly SeededApiKey[];
  readonly workflow: LocalWorkflow;
  /** The bucket's expiration rule: runs every LIFECYCLE_INTERVAL_SECONDS (default 3600, 0: never), or on `run()`. */
  readonly lifecycle: LocalLifecycle;
  /** Everything set in process.env for the in-process handlers (and inherited by recorders). */
  readonly env: Record<string, string>;
  /** Takes one emulator down and returns what brings it back (the fault tests). */
  takeDown: Emulators['takeDown'];
  stop(): Promise<void>;
}

/**
 * The whole pipeline on loopback: emulators with the table and bucket, the synthesized workflow with the
 * recorder as a child process, the API server with the real handlers, seeded API keys and the demo meeting.
 * The handlers run in this process, so this sets process.env (one local mode per process).
 */
export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const log = options.log ?? (() => {});
  const settings = options.settings ?? process.env;
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) {
      await stopOne().catch((error: unknown) => log(`stopping: ${String(error)}`));
    }
  };
  try {
    const emulators: Emulators = await startEmulators({
      ports: { dynamodb: options.ports.dynamodb, s3: options.ports.s3, ses: options.ports.ses },
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    stoppers.push(() => emulators.stop());
    Object.assign(process.env, emulators.env);

    const synthesized = synthesizedWorkflow(
      { ...emulators.resources, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID },
      {
        ...(settings.LINK_MODE ? { linkMode: settings.LINK_MODE } : {}),
        // No image to pull here: the recorder starts in seconds, so a lost one is noticed after 60 s
        // instead of the deployed default, which leaves room for Fargate's image pull.
        recorderHeartbeatSeconds: options.recorderHeartbeatSeconds ?? 60,
      },
    );
    const demo: DemoMeeting = await startDemoMeeting(options.ports.demo);
    stoppers.push(() => demo.stop());
    const recorderSettings = {
      ...emulators.env,
      ALLOW_LOOPBACK_HTTP: 'true',
      // Besides the meeting URL's own port: no other local service is within a recorded page's reach.
      LOOPBACK_PORTS: new URL(demo.url).port,
      ALLOWED_MEETING_ORIGINS: settings.ALLOWED_MEETING_ORIGINS ?? '*',
      ...options.recorderEnv,
    };
    const recorderCommand =
      options.recorderCommand ??
      (recorderKind(settings) === 'container'
        ? containerRecorderCommand({
            image: settings.LOCAL_RECORDER_IMAGE || DEFAULT_RECORDER_IMAGE,
            environmentNames: [
              ...Object.keys(synthesized.recorderEnv),
              ...overrideNames(synthesized.definition),
              ...Object.keys(recorderSettings),
            ],
          })
        : await bundledRecorderCommand(stoppers));
    const workflow = await startLocalWorkflow({
      definition: synthesized.definition,
      lambdaModules: synthesized.lambdaModules,
      stateMachineArn: STATE_MACHINE_ARN,
      port: options.ports.sfn,
      taskDefinitionEnv: synthesized.recorderEnv,
      recorderEnv: recorderSettings,
      stopTimeoutMs: synthesized.stopTimeoutSeconds * 1000,
      recorderCommand,
      ...(options.waitOverridesMs ? { waitOverridesMs: options.waitOverridesMs } : {}),
      ...(options.retryIntervalOverridesMs
        ? { retryIntervalOverridesMs: options.retryIntervalOverridesMs }
        : {}),
      faults: options.workflowFaults ?? parseWorkflowFaults(settings.LOCAL_WORKFLOW_FAULTS),
      onTaskStopped: taskStoppedTarget(log),
      log,
    });
    stoppers.push(() => workflow.stop());

    const api: ApiServer = await startApiServer({
      port: options.ports.api,
      linkMode: settings.LINK_MODE ?? 'presigned',
      log,
    });
    stoppers.push(() => api.stop());
    const env: Record<string, string> = {
      ...emulators.env,
      ...localLambdaEnv({
        apiUrl: api.url,
        sfnEndpoint: workflow.endpoint,
        stateMachineArn: STATE_MACHINE_ARN,
        cursorSecret: cursorSecret(options.dataDir),
        appVersion: appVersion(),
        env: settings,
      }),
    };
    Object.assign(process.env, env);

    const webhooks = await startLocalWebhooks({
      tableName: emulators.resources.tableName,
      port: options.ports.sqs,
      maxAttempts: Number(settings.WEBHOOK_MAX_ATTEMPTS ?? 8),
      log,
    });
    stoppers.push(() => webhooks.stop());
    Object.assign(env, {
      AWS_ENDPOINT_URL_SQS: webhooks.sqsEndpoint,
      WEBHOOK_QUEUE_URL: webhooks.queueUrl,
    });

    const archiveBuilder = await startLocalArchiveBuilder({ tableName: emulators.resources.tableName, log });
    stoppers.push(() => archiveBuilder.stop());

    const reconciler = startLocalReconciler(
      options.reconcileIntervalMs ?? CONFIG_DEFAULTS.reconcileIntervalMinutes * 60_000,
      log,
    );
    stoppers.push(() => reconciler.stop());
    const lifecycle = startLocalLifecycle({
      bucketName: emulators.resources.bucketName,
      retentionDays: Number(env.RETENTION_DAYS),
      intervalMs: Number(settings.LIFECYCLE_INTERVAL_SECONDS ?? 3600) * 1000,
      ...(options.lifecycleClock ? { clock: options.lifecycleClock } : {}),
      log,
    });
    stoppers.push(() => lifecycle.stop());

    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const apiKeys: SeededApiKey[] = [];
    for (const spec of options.apiKeys)
      apiKeys.push(await putApiKey(documents, emulators.resources.tableName, spec));
    documents.destroy();

    return {
      endpoints: {
        api: api.url,
        ses: emulators.endpoints.ses,
        s3: emulators.endpoints.s3,
        dynamodb: emulators.endpoints.dynamodb,
        sfn: workflow.endpoint,
        sqs: webhooks.sqsEndpoint,
        demoMeeting: demo.url,
      },
      apiKeys,
      workflow,
      lifecycle,
      env,
      takeDown: (name) => emulators.takeDown(name),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The image `LOCAL_RECORDER=container` runs unless `LOCAL_RECORDER_IMAGE` names another. */
export const DEFAULT_RECORDER_IMAGE = 'meeting-recorder:local';

/** `LOCAL_RECORDER`: `process` (default: the bundle run by this Node) or `container` (the image, with Docker). */
function recorderKind(settings: NodeJS.ProcessEnv): 'process' | 'container' {
  const kind = settings.LOCAL_RECORDER || 'process';
  if (kind !== 'process' && kind !== 'container') {
    throw new Error(`LOCAL_RECORDER is "process" or "container", got "${kind}"`);
  }
  return kind;
}

/** Builds the recorder's bundle (the file the container runs) and returns the command that runs it. */
async function bundledRecorderCommand(stoppers: (() => Promise<void>)[]): Promise<string[]> {
  const directory = mkdtempSync(join(tmpdir(), 'meeting-recorder-bundle-'));
  stoppers.push(async () => rmSync(directory, { recursive: true, force: true }));
  return [process.execPath, await bundleRecorder(join(directory, 'recorder.mjs'))];
}

/** A random cursor-signing secret, kept with the data so cursors survive a restart. */
function cursorSecret(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'cursor-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function appVersion(): string {
  const packageJson = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}
