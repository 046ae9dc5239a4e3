import { IllegalTransitionError } from '../../domain/errors.js';
import { metrics } from '../../observability.js';
import { storeFromEnv } from '../../recordings/service-from-env.js';
import { StepInputSchema } from '../../workflow/step-inputs.js';
import { workflowHandler } from '../../workflow/workflow-handler.js';

const store = storeFromEnv();

const CAUSES: Record<string, { code: string; message: string }> = {
  'States.Timeout': {
    code: 'recorder_timeout',
    message: 'The recorder did not finish in time and nothing was uploaded.',
  },
  'States.HeartbeatTimeout': {
    code: 'recorder_lost',
    message: 'The recorder stopped responding before anything was uploaded.',
  },
};

/** `MeetingUnreachable` → `meeting_unreachable`, the style of the API's codes. */
function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Nothing usable was recorded: say so on the recording, with the reason, and free the meeting. */
export const handler = workflowHandler(StepInputSchema, async (input) => {
  const failure = input.failure;
  const known = failure ? CAUSES[failure.Error] : undefined;
  // NoteLaunchDelay gave up: the recorder never started.
  const launchFailed = input.launchDelay?.retry === false ? input.launchDelay.error : undefined;
  const error = launchFailed ??
    known ?? {
      code: failure?.Error.startsWith('Recorder.')
        ? snakeCase(failure.Error.slice('Recorder.'.length))
        : 'recorder_failed',
      message: (failure?.Cause ?? 'The recorder failed before anything was uploaded.').slice(0, 500),
    };
  try {
    const before = await store.get(input.recordingId);
    const recording = await store.transition(input.recordingId, 'ERRORED', {
      error,
      stoppedAt: before?.stoppedAt ?? new Date().toISOString(),
      stopReason: before?.stopReason ?? 'recorder_failed',
    });
    metrics.addMetric('RecordingsErrored', 'Count', 1);
    return { recordingId: recording.id, status: recording.status, error };
  } catch (caught) {
    if (!(caught instanceof IllegalTransitionError)) throw caught;
    const current = await store.get(input.recordingId);
    return { recordingId: input.recordingId, status: current?.status ?? 'MISSING', error };
  }
});
