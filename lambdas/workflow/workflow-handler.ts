import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { z } from 'zod';
import { logger, metrics, tracer } from '../observability.js';

/** A workflow step: Powertools around a function of the validated state input, every log line keyed by recording. */
export function workflowHandler<Input extends { recordingId: string }, Output>(
  schema: z.ZodType<Input>,
  step: (input: Input) => Promise<Output>,
) {
  return middy(async (event: unknown) => {
    const input = schema.parse(event);
    logger.appendKeys({ recordingId: input.recordingId });
    return step(input);
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics));
}

/** An error whose name Step Functions matches in Retry and Catch (`ErrorEquals`). */
export class StepError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
