import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareDefinition, taskKind, taskStates } from '../../local/workflow/definition.js';
import { type SynthesizedWorkflow, synthesizedWorkflow } from '../../local/workflow/synthesized.js';

let workflow: SynthesizedWorkflow;

beforeAll(() => {
  workflow = synthesizedWorkflow({
    tableName: 'local-table',
    bucketName: 'local-bucket',
    region: 'us-east-1',
    accountId: '000000000000',
  });
}, 120_000);

describe('the synthesized workflow as local mode runs it', () => {
  it('has every CloudFormation reference resolved', () => {
    expect(JSON.stringify(workflow.definition)).not.toContain('${');
  });

  it('has only Task states local mode can bind', () => {
    const unsupported = taskStates(workflow.definition)
      .filter(([, state]) => taskKind(state.Resource) === undefined)
      .map(([name, state]) => `${name}: ${state.Resource}`);
    expect(unsupported).toEqual([]);
  });

  it('names the contract states and a handler module that exists for each Lambda state', () => {
    expect(Object.keys(workflow.definition.States)).toEqual(
      expect.arrayContaining([
        'RunRecorder',
        'StopRecorderTask',
        'SalvageRecording',
        'FinalizeRecording',
        'NotifyHost',
      ]),
    );
    expect(taskKind(workflow.definition.States.RunRecorder!.Resource!)).toBe('ecs-run-task-callback');
    for (const module of Object.values(workflow.lambdaModules)) {
      expect(existsSync(fileURLToPath(new URL(`../../lambdas/handlers/${module}.ts`, import.meta.url)))).toBe(
        true,
      );
    }
    for (const [name, state] of taskStates(workflow.definition)) {
      if (taskKind(state.Resource)?.startsWith('lambda')) expect(workflow.lambdaModules[name]).toBeDefined();
    }
  });

  it('points the recorder and the table lookups at the local table and bucket', () => {
    expect(workflow.recorderEnv).toMatchObject({ TABLE_NAME: 'local-table', BUCKET_NAME: 'local-bucket' });
    const tables = taskStates(workflow.definition)
      .filter(([, state]) => taskKind(state.Resource) === 'dynamodb-get-item')
      .map(([, state]) => (state.Parameters as { TableName: string }).TableName);
    expect(tables.length).toBeGreaterThan(0);
    expect(new Set(tables)).toEqual(new Set(['local-table']));
    expect(workflow.stopTimeoutSeconds).toBeGreaterThan(0);
  });

  it('carries TimeoutSecondsPath through Parameters for aws-local-stepfunctions', () => {
    const prepared = prepareDefinition(workflow.definition).States.RunRecorder!;
    expect(prepared.TimeoutSecondsPath).toBe('$.__localTimeoutSeconds');
    expect((prepared.Parameters as Record<string, unknown>)['__localTimeoutSeconds.$']).toBe(
      workflow.definition.States.RunRecorder!.TimeoutSecondsPath,
    );
  });
});
