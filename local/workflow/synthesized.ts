import type { RawConfig } from '../../lib/config.js';
import { type CfnResourceJson, type SynthesizedStack, synthesizeStack } from '../../lib/synth-for-local.js';
import type { StateMachineDefinition } from './definition.js';

export interface LocalResources {
  readonly tableName: string;
  readonly bucketName: string;
  readonly region: string;
  readonly accountId: string;
}

export interface SynthesizedWorkflow {
  /** The state machine as deployed, its CloudFormation references resolved for this machine. */
  readonly definition: StateMachineDefinition;
  /** Lambda Task state → handler module under lambdas/handlers (`workflow/notify-host`). */
  readonly lambdaModules: Record<string, string>;
  /** The recorder container's own environment from its task definition, references resolved. */
  readonly recorderEnv: Record<string, string>;
  /** The recorder container's stopTimeout: SIGKILL this long after StopTask's SIGTERM. */
  readonly stopTimeoutSeconds: number;
}

type EnvEntry = { Name: string; Value: unknown };
type ContainerDefinition = { Name?: string; Environment?: EnvEntry[]; StopTimeout?: number };

/** Synthesizes the stack (no bundling) and returns the workflow as local mode runs it. */
export function synthesizedWorkflow(resources: LocalResources, config: RawConfig = {}): SynthesizedWorkflow {
  return fromSynthesizedStack(synthesizeStack(config), resources);
}

export function fromSynthesizedStack(
  stack: SynthesizedStack,
  resources: LocalResources,
): SynthesizedWorkflow {
  const container = recorderContainer(stack.template.Resources);
  const refOf = (name: string) => {
    const value = container.Environment?.find((entry) => entry.Name === name)?.Value as
      | { Ref?: string }
      | undefined;
    if (!value?.Ref) throw new Error(`the recorder's ${name} is not a reference to a resource`);
    return value.Ref;
  };
  const names = new Map<string, string>([
    [refOf('TABLE_NAME'), resources.tableName],
    [refOf('BUCKET_NAME'), resources.bucketName],
    ['AWS::Partition', 'aws'],
    ['AWS::Region', resources.region],
    ['AWS::AccountId', resources.accountId],
    ['AWS::URLSuffix', 'amazonaws.com'],
  ]);
  const functions = new Set(
    Object.entries(stack.template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([logicalId]) => logicalId),
  );
  const resolvePlaceholder = (reference: string): string => {
    const known = names.get(reference);
    if (known !== undefined) return known;
    const [logicalId, attribute] = reference.split('.');
    if (logicalId && attribute === 'Arn' && functions.has(logicalId)) {
      return `arn:aws:lambda:${resources.region}:${resources.accountId}:function:${logicalId}`;
    }
    return `local-${reference.replace(/[^\w.-]/g, '-')}`;
  };
  const resolveStrings = (value: unknown): unknown => {
    if (typeof value === 'string')
      return value.replace(/\$\{([^}]+)\}/g, (_, reference: string) => resolvePlaceholder(reference));
    if (Array.isArray(value)) return value.map(resolveStrings);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveStrings(inner)]));
    }
    return value;
  };

  const recorderEnv: Record<string, string> = {};
  for (const { Name, Value } of container.Environment ?? []) {
    if (typeof Value === 'string') recorderEnv[Name] = Value;
    else if (typeof (Value as { Ref?: unknown }).Ref === 'string') {
      recorderEnv[Name] = resolvePlaceholder((Value as { Ref: string }).Ref);
    }
  }
  return {
    definition: resolveStrings(stack.stateMachineDefinition) as StateMachineDefinition,
    lambdaModules: { ...stack.lambdaStates },
    recorderEnv,
    stopTimeoutSeconds: container.StopTimeout ?? 30,
  };
}

function recorderContainer(resources: Record<string, CfnResourceJson>): ContainerDefinition {
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const containers = (resource.Properties?.ContainerDefinitions ?? []) as ContainerDefinition[];
    const recorder = containers.find((container) => container.Name === 'recorder');
    if (recorder) return recorder;
  }
  throw new Error('the synthesized template has no task definition with a "recorder" container');
}
