import { type StateMachineDefinition, taskKind, taskStates } from './definition.js';

/** Containers local mode starts carry this label, so that what a killed recorder leaves can be found. */
export const RECORDER_CONTAINER_LABEL = 'meeting-recorder.local-task';

/** The variable that gives a recorder task the local workflow's endpoint for its task-token reports. */
export const WORKFLOW_ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL_SFN';

/** The names RunTask's container overrides set, read from the workflow definition (RECORDING_ID, TASK_TOKEN, …). */
export function overrideNames(definition: StateMachineDefinition): string[] {
  const names = new Set<string>();
  for (const [, state] of taskStates(definition)) {
    if (taskKind(state.Resource) !== 'ecs-run-task-callback') continue;
    const overrides = (state.Parameters as { Overrides?: { ContainerOverrides?: unknown } } | undefined)
      ?.Overrides?.ContainerOverrides;
    for (const container of (overrides ?? []) as { Environment?: { Name?: unknown }[] }[]) {
      for (const entry of container.Environment ?? []) {
        if (typeof entry.Name === 'string') names.add(entry.Name);
      }
    }
  }
  return [...names];
}

/**
 * The recorder as its image runs on Fargate: `docker run` on the host network (the emulators are on
 * loopback), as the image's own user, with exactly the task's environment: the task definition's
 * variables, RunTask's overrides, local mode's endpoints and TASK_ARN. `-e NAME` takes each value from
 * the environment RecorderTasks gives the docker CLI; SIGTERM reaches the container through the CLI.
 */
export function containerRecorderCommand(options: {
  readonly image: string;
  readonly environmentNames: Iterable<string>;
}): string[] {
  const names = [...new Set([...options.environmentNames, 'TASK_ARN', WORKFLOW_ENDPOINT_VARIABLE])].sort();
  return [
    'docker',
    'run',
    '--rm',
    '--network=host',
    `--label=${RECORDER_CONTAINER_LABEL}`,
    ...names.flatMap((name) => ['--env', name]),
    options.image,
  ];
}
