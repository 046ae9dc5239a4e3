import { z } from 'zod';
import { STOP_REASONS } from './recording.js';

/** What the recorder reports with SendTaskSuccess, and what salvage reconstructs (docs/internals.md). */
export const RecorderReportSchema = z.object({
  objectKey: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  durationSeconds: z.number().nonnegative(),
  partial: z.boolean(),
  stopReason: z.enum(STOP_REASONS),
  file: z
    .object({
      videoCodec: z.string().nullable().optional(),
      audioCodec: z.string().nullable().optional(),
      width: z.number().int().nullable().optional(),
      height: z.number().int().nullable().optional(),
    })
    .optional(),
  checks: z
    .object({ blackVideo: z.boolean().optional(), silentAudio: z.boolean().optional() })
    .passthrough()
    .optional(),
});
export type RecorderReport = z.infer<typeof RecorderReportSchema>;

/** The workflow's failure as Step Functions puts it at `$.failure` when it catches an error. */
export const WorkflowFailureSchema = z
  .object({ Error: z.string(), Cause: z.string().optional() })
  .passthrough();
export type WorkflowFailure = z.infer<typeof WorkflowFailureSchema>;
