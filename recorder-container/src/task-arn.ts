import { errorMessage, log } from './log.js';

/** The ECS task ARN from the task metadata endpoint (v4), or the one given in TASK_ARN. */
export async function discoverTaskArn(
  known: string | undefined,
  metadataUri: string | undefined,
): Promise<string | undefined> {
  if (known) return known;
  if (!metadataUri) return undefined;
  try {
    const answer = await fetch(`${metadataUri}/task`, { signal: AbortSignal.timeout(2000) });
    const task = (await answer.json()) as { TaskARN?: string };
    return task.TaskARN;
  } catch (error) {
    log('task_arn_unknown', { error: errorMessage(error) });
    return undefined;
  }
}
