import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { z } from 'zod';
import { logger, metrics, tracer } from '../observability.js';
import { asStepFailure } from './transient-error.js';

export { StepError } from './step-error.js';

/**
 * A workflow step: Powertools around a function of the validated state input, every log line keyed by
 * recording. A dependency failure that heals (throttling, 5xx, timeout, network) leaves the step as
 * `TransientDependencyError`, which the workflow retries, never as a verdict on the recording.
 */
export function workflowHandler<Input extends { recordingId: string }, Output>(
  schema: z.ZodType<Input>,
  step: (input: Input) => Promise<Output>,
) {
  return middy(async (event: unknown) => {
    const input = schema.parse(event);
    logger.appendKeys({ recordingId: input.recordingId });
    try {
      return await step(input);
    } catch (error) {
      throw asStepFailure(error);
    }
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics));
}
