import type { RecordingError } from './recording.js';

/**
 * The public message of every `error.code` a recording can carry: what happened, never how. The
 * internals (Step Functions' Cause, stack traces, ARNs) go to the logs and alarms only.
 */
export const RECORDING_ERROR_MESSAGES = {
  recorder_timeout: 'The recorder did not finish in time and nothing was uploaded.',
  recorder_lost: 'The recorder stopped responding before anything was uploaded.',
  recorder_failed: 'The recorder failed before anything was uploaded.',
  meeting_unreachable: 'The meeting page could not be loaded.',
  url_refused: 'The meeting URL was refused.',
  nothing_recorded: 'The recorder captured nothing that could be stored.',
  upload_failed: 'The recording could not be stored.',
  stopped_before_start: 'The recording was stopped before it started.',
  stopped_before_recording: 'The recorder stopped before it started recording.',
  task_stopped: 'The recorder was stopped before anything was uploaded.',
  launch_failed: 'The recorder could not be started.',
  recovery_failed: 'The recording could not be finished after its workflow was lost.',
  email_failed: 'The host could not be emailed; a download link can still be created through the API.',
} as const;

export type RecordingErrorCode = keyof typeof RECORDING_ERROR_MESSAGES;

export function isRecordingErrorCode(code: string): code is RecordingErrorCode {
  return Object.hasOwn(RECORDING_ERROR_MESSAGES, code);
}

export function recordingError(code: RecordingErrorCode): RecordingError {
  return { code, message: RECORDING_ERROR_MESSAGES[code] };
}

/** The public form of a stored error: an unknown code (an older item, a new recorder) reads as `recorder_failed`. */
export function publicRecordingError(error: RecordingError): RecordingError {
  return recordingError(isRecordingErrorCode(error.code) ? error.code : 'recorder_failed');
}

/** `Recorder.MeetingUnreachable` → `meeting_unreachable`; Step Functions' and unknown errors by their meaning. */
export function recordingErrorFor(stepError: string | undefined): RecordingError {
  if (stepError === 'States.Timeout') return recordingError('recorder_timeout');
  if (stepError === 'States.HeartbeatTimeout') return recordingError('recorder_lost');
  const code = stepError?.startsWith('Recorder.')
    ? stepError
        .slice('Recorder.'.length)
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .toLowerCase()
    : 'recorder_failed';
  return recordingError(isRecordingErrorCode(code) ? code : 'recorder_failed');
}
