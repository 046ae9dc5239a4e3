import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TIMEOUT, type Synthesized, synth } from './helpers.js';

/** Logical ids a value refers to through Ref, Fn::GetAtt or Fn::Sub. */
function references(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) references(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt')
        into.add(Array.isArray(inner) ? String(inner[0]) : (String(inner).split('.')[0] ?? ''));
      else if (key === 'Fn::Sub' && typeof inner === 'string') {
        for (const match of inner.matchAll(/\$\{([^}.!]+)[^}]*\}/g)) if (match[1]) into.add(match[1]);
      } else references(inner, into);
    }
  }
  return into;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('the template deploys', () => {
  let variants: Synthesized[];
  beforeAll(() => {
    variants = [
      synth(),
      synth({ linkMode: 'redirect', removalPolicy: 'destroy', alarmEmail: 'ops@example.com' }),
    ];
  }, SYNTH_TIMEOUT);

  it('has no circular dependencies between resources', () => {
    for (const { template } of variants) {
      const resources = template.Resources;
      const graph = new Map<string, Set<string>>();
      for (const [id, resource] of Object.entries(resources)) {
        const deps = references(resource.Properties ?? {});
        const dependsOn = resource.DependsOn;
        for (const dep of Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : [])
          deps.add(String(dep));
        graph.set(id, new Set([...deps].filter((dep) => dep in resources)));
      }
      expect(findCycle(graph)).toBeNull();
    }
  });

  it('gives every log group a retention and keeps logs by default', () => {
    for (const { assertions } of variants) {
      for (const group of Object.values(assertions.findResources('AWS::Logs::LogGroup'))) {
        expect((group.Properties as { RetentionInDays?: number }).RetentionInDays).toBe(30);
      }
    }
    const [retain] = variants;
    for (const group of Object.values(retain?.assertions.findResources('AWS::Logs::LogGroup') ?? {})) {
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  it('names no resource with a fixed physical name (stacks can share an account and be created again)', () => {
    const named = Object.entries(variants[0]?.template.Resources ?? {}).filter(([, r]) => {
      const props = r.Properties ?? {};
      return [
        'BucketName',
        'TableName',
        'FunctionName',
        'RoleName',
        'QueueName',
        'TopicName',
        'LogGroupName',
      ].some((key) => typeof props[key] === 'string');
    });
    expect(named.map(([id]) => id)).toEqual([]);
    // The one named group (Step Functions' vended-logs prefix) is unique to each creation of the stack.
    const workflowLogs = Object.entries(variants[0]?.template.Resources ?? {}).find(([id]) =>
      id.startsWith('WorkflowLogs'),
    );
    expect(JSON.stringify(workflowLogs?.[1].Properties?.LogGroupName)).toContain('"Ref":"AWS::StackId"');
  });
});
