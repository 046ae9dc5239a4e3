import { Match, Template } from 'aws-cdk-lib/assertions';
import type { RawConfig } from '../../lib/config.js';
import { type SynthesizedStack, synthesizeStack } from '../../lib/synth-for-local.js';

/** Synth with bundling of every function takes a while; a file synthesizes once per config in beforeAll. */
export const SYNTH_TIMEOUT = 180_000;

export interface Synthesized extends SynthesizedStack {
  readonly assertions: Template;
}

export function synth(config: RawConfig = {}): Synthesized {
  const synthesized = synthesizeStack(config);
  return { ...synthesized, assertions: Template.fromJSON(synthesized.template) };
}

type Json = Record<string, unknown>;
export interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

/** Logical id of the one resource of `type` whose logical id contains `fragment`. */
export function logicalId(template: Template, type: string, fragment: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(fragment));
  if (ids.length !== 1)
    throw new Error(`Expected one ${type} matching ${fragment}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

/** Every statement of every IAM policy attached to a role (inline policies and AWS::IAM::Policy resources). */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  const statements: PolicyStatementJson[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const props = policy.Properties as {
      Roles?: Array<{ Ref?: string }>;
      PolicyDocument: { Statement: PolicyStatementJson[] };
    };
    if (props.Roles?.some((role) => role.Ref === roleLogicalId))
      statements.push(...props.PolicyDocument.Statement);
  }
  return statements;
}

/** Statements of the role of the function whose logical id contains `fragment`. */
export function statementsOfFunction(template: Template, fragment: string): PolicyStatementJson[] {
  const fnId = logicalId(template, 'AWS::Lambda::Function', fragment);
  const fn = template.findResources('AWS::Lambda::Function')[fnId] as {
    Properties: { Role: { 'Fn::GetAtt': [string] } };
  };
  return statementsOfRole(template, fn.Properties.Role['Fn::GetAtt'][0]);
}

export function actionsOf(statements: readonly PolicyStatementJson[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

export function statementsWithAction(
  statements: readonly PolicyStatementJson[],
  action: string,
): PolicyStatementJson[] {
  return statements.filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action));
}

export function envOfFunction(template: Template, fragment: string): Record<string, unknown> {
  const fnId = logicalId(template, 'AWS::Lambda::Function', fragment);
  const fn = template.findResources('AWS::Lambda::Function')[fnId] as {
    Properties: { Environment?: { Variables?: Record<string, unknown> } };
  };
  return fn.Properties.Environment?.Variables ?? {};
}

export { Match };
