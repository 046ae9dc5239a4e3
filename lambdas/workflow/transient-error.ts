import { isTransientAwsError } from '../aws-errors.js';
import { StepError } from './step-error.js';

/** The function error a workflow step throws when a dependency failed in a way that heals: the workflow retries it. */
export const TRANSIENT_DEPENDENCY_ERROR = 'TransientDependencyError';

/** Whether a step's error can heal by itself (aws-errors.ts); a StepError is the step's own verdict. */
export function isTransient(error: unknown): boolean {
  return !(error instanceof StepError) && isTransientAwsError(error);
}

/** A transient dependency error as the step error the workflow retries; anything else unchanged. */
export function asStepFailure(error: unknown): unknown {
  if (!isTransient(error)) return error;
  const { name = 'Error', message = '' } = error as Error;
  return new StepError(TRANSIENT_DEPENDENCY_ERROR, `${name}: ${message}`.slice(0, 500));
}
