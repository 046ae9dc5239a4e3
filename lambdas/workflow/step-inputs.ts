import { z } from 'zod';
import { RecorderReportSchema, WorkflowFailureSchema } from '../domain/recorder-report.js';

/** The parts of the workflow's state each step reads; Step Functions passes the whole state. */
export const StepInputSchema = z
  .object({
    recordingId: z.string().min(1),
    objectKey: z.string().min(1),
    recorder: RecorderReportSchema.optional(),
    failure: WorkflowFailureSchema.optional(),
    emailFailure: WorkflowFailureSchema.optional(),
    /** The launch error RunRecorder caught for NoteLaunchDelay. */
    launchFailure: WorkflowFailureSchema.optional(),
    /** NoteLaunchDelay's last answer; `retry: false` means the launch window is spent. */
    launchDelay: z
      .object({
        retry: z.boolean(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type StepInput = z.infer<typeof StepInputSchema>;
