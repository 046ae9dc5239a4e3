import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { type RawConfig, resolveConfig } from './config.js';
import { RecordingStack } from './recording-stack.js';

export interface SynthOptions {
  /**
   * Bundle every Lambda with esbuild, as `cdk synth` does. Off, the template is the same except for the
   * asset hashes, and synth takes a second instead of most of a minute.
   * @default false
   */
  readonly bundle?: boolean;
  /**
   * Stage the recorder image from recorder-container/Dockerfile (needs the file, not Docker).
   * @default false — a placeholder registry image (unless the config names `recorderImage`), so that no Dockerfile is needed
   */
  readonly recorderImageAsset?: boolean;
  /** @default 'MeetingRecorder' */
  readonly stackName?: string;
  /**
   * Keep the cloud assembly (`app.outdir`) on disk after reading the template.
   * @default true when bundling or staging the image (to inspect the assets), else false
   */
  readonly keepOutput?: boolean;
}

/** An Amazon States Language document (JSONPath). */
export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Record<string, Record<string, unknown> & { Type: string }>;
  readonly QueryLanguage?: string;
  readonly Comment?: string;
}

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: RecordingStack;
  /** The CloudFormation template, as `cdk synth` writes it. */
  readonly template: Record<string, unknown> & { Resources: Record<string, CfnResourceJson> };
  /**
   * The state machine definition from the template. References to the stack's resources are left as
   * placeholders: `${LogicalId}` for a Ref, `${LogicalId.Attribute}` for a GetAtt (a whole Lambda `Resource`
   * is then `${…Function….Arn}`, which ASL validators accept as a substitution variable). Pseudo parameters
   * get local values (LOCAL_PSEUDO_PARAMETERS), so that service integrations read as valid ARNs:
   * `arn:aws:states:::ecs:runTask.waitForTaskToken`.
   */
  readonly stateMachineDefinition: StateMachineDefinition;
  /** Lambda task state name → handler module under lambdas/handlers (e.g. `workflow/notify-host`). */
  readonly lambdaStates: Record<string, string>;
}

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/**
 * Synthesizes the recording stack in-process with the given context values (the same keys as
 * `cdk -c key=value`) and returns its template and its state machine definition. Local mode runs that
 * definition with aws-local-stepfunctions; the infra tests assert on both.
 */
export function synthesizeStack(config: RawConfig = {}, options: SynthOptions = {}): SynthesizedStack {
  const stackName = options.stackName ?? 'MeetingRecorder';
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'recording-synth-')),
    // An empty list of stacks to bundle makes NodejsFunction skip esbuild.
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
  });
  const resolved = resolveConfig(config);
  const placeholderImage = !options.recorderImageAsset && !resolved.recorderImage;
  const stack = new RecordingStack(app, stackName, {
    config: resolved,
    ...(placeholderImage
      ? { recorderImage: ecs.ContainerImage.fromRegistry('meeting-recorder/recorder:local') }
      : {}),
  });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as SynthesizedStack['template'];
  if (!(options.keepOutput ?? (options.bundle || options.recorderImageAsset))) {
    rmSync(app.outdir, { recursive: true, force: true });
  }

  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1) throw new Error(`Expected one state machine, found ${machines.length}`);
  const stateMachineDefinition = JSON.parse(
    renderDefinitionString(machines[0]?.Properties?.DefinitionString),
  ) as StateMachineDefinition;

  const lambdaStates: Record<string, string> = {};
  const handlerByLogicalId = new Map(
    [...Object.values(stack.workflow.functions)].map((fn) => [
      stack.resolve(
        (fn.function.node.defaultChild as { logicalId: string } | undefined)?.logicalId,
      ) as string,
      fn.handlerName,
    ]),
  );
  for (const [name, state] of Object.entries(stateMachineDefinition.States)) {
    const match = typeof state.Resource === 'string' ? /^\$\{(.+)\.Arn\}$/.exec(state.Resource) : null;
    const handler = match?.[1] ? handlerByLogicalId.get(match[1]) : undefined;
    if (handler) lambdaStates[name] = handler;
  }
  return { app, stack, template, stateMachineDefinition, lambdaStates };
}

/** Writes the synthesized definition (and the Lambda state map) as JSON files; returns their paths. */
export function writeStateMachineDefinition(
  outputDir: string,
  config: RawConfig = {},
): { definitionPath: string; lambdaStatesPath: string } {
  const { stateMachineDefinition, lambdaStates } = synthesizeStack(config);
  const definitionPath = path.join(outputDir, 'state-machine.asl.json');
  const lambdaStatesPath = path.join(outputDir, 'state-machine.lambda-states.json');
  writeFileSync(definitionPath, `${JSON.stringify(stateMachineDefinition, null, 2)}\n`);
  writeFileSync(lambdaStatesPath, `${JSON.stringify(lambdaStates, null, 2)}\n`);
  return { definitionPath, lambdaStatesPath };
}

/**
 * A copy of the definition that aws-local-stepfunctions runs as Step Functions would. That runner evaluates
 * `TimeoutSecondsPath` against the task's Parameters output instead of the state input, so each such path
 * (`$.timeoutSeconds`) is also copied into the task's Parameters under the same name; a local task override
 * then receives it as an extra field. Everything else is unchanged.
 */
export function adaptForLocalRunner(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(definition) as StateMachineDefinition;
  for (const state of Object.values(copy.States)) {
    const path = state.TimeoutSecondsPath;
    const field = typeof path === 'string' ? /^\$\.(\w+)$/.exec(path)?.[1] : undefined;
    if (state.Type === 'Task' && field && state.Parameters && typeof state.Parameters === 'object') {
      (state.Parameters as Record<string, unknown>)[`${field}.$`] = path;
    }
  }
  return copy;
}

/** What the pseudo parameters of CloudFormation stand for in a definition run locally. */
export const LOCAL_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Joins a `DefinitionString` (a string or an Fn::Join) into one JSON text, with placeholders for references. */
export function renderDefinitionString(definition: unknown): string {
  if (typeof definition === 'string') return definition;
  const join = (definition as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join) throw new Error('DefinitionString is neither a string nor an Fn::Join');
  return join[1].map((part) => (typeof part === 'string' ? part : placeholder(part))).join(join[0]);
}

function placeholder(reference: unknown): string {
  const ref = reference as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (ref.Ref) return LOCAL_PSEUDO_PARAMETERS[ref.Ref] ?? `\${${ref.Ref}}`;
  if (ref['Fn::GetAtt']) return `\${${ref['Fn::GetAtt'][0]}.${ref['Fn::GetAtt'][1]}}`;
  // Anything else (Fn::Select, Fn::Split …) keeps its shape, minus the quotes that would break the JSON.
  return `\${${JSON.stringify(reference).replace(/["\\]/g, '')}}`;
}

// `npx tsx lib/synth-for-local.ts <output dir>`: writes the definition for local mode.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const outputDir = process.argv[2] ?? '.';
  const written = writeStateMachineDefinition(outputDir);
  console.log(`Wrote ${written.definitionPath} and ${written.lambdaStatesPath}`);
}
