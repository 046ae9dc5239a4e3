import { describe, expect, it } from 'vitest';
import { type Recording, toView, VIEW_FIELDS } from '../../lambdas/domain/recording.js';
import { RECORDING_ERROR_MESSAGES, recordingErrorFor } from '../../lambdas/domain/recording-errors.js';
import { uploadedRecording } from '../support/recordings.js';

const ACCOUNT = '123456789012';
const TASK_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/recorder/0abc`;

/** A stored item carrying everything only the service may see, in every nested object too. */
function storedWithInternals(): Recording {
  const recording = uploadedRecording({
    status: 'ERRORED',
    email: { to: 'host@example.com', sentAt: 'x', linkExpiresAt: 'y' },
    launch: {
      attempts: 2,
      reason: 'capacity',
      message: 'No capacity was available.',
      since: 'a',
      nextAttemptAt: 'b',
    },
    error: { code: 'meeting_unreachable', message: `AccessDenied for ${TASK_ARN} at Object.<anonymous>` },
  });
  const extra = { taskArn: TASK_ARN, roleArn: `arn:aws:iam::${ACCOUNT}:role/x`, type: 'recording' };
  return {
    ...recording,
    ...extra,
    host: { ...recording.host, ...extra },
    file: { ...recording.file!, ...extra },
    email: { ...recording.email!, ...extra },
    launch: { ...recording.launch!, ...extra },
  } as Recording;
}

describe('the public recording view', () => {
  it('has exactly the allow-listed fields, at every level, and no ARN or account id', () => {
    const view = toView(storedWithInternals());
    expect(Object.keys(view).sort()).toEqual([...VIEW_FIELDS].sort());
    expect(Object.keys(view.host).sort()).toEqual(['email', 'name']);
    expect(Object.keys(view.file!).sort()).toEqual(
      [
        'audioCodec',
        'contentType',
        'durationSeconds',
        'height',
        'name',
        'sizeBytes',
        'videoCodec',
        'width',
      ].sort(),
    );
    expect(Object.keys(view.email!).sort()).toEqual(['linkExpiresAt', 'sentAt', 'to']);
    expect(Object.keys(view.launch!).sort()).toEqual([
      'attempts',
      'message',
      'nextAttemptAt',
      'reason',
      'since',
    ]);
    const json = JSON.stringify(view);
    expect(json).not.toMatch(/arn:|taskArn|clientId|objectKey|stopRequestedAt|lastWarningSeconds|ttl/);
    expect(json).not.toContain(ACCOUNT);
  });

  it('shows a stored error by its code with the fixed message, whatever message was stored', () => {
    const view = toView(storedWithInternals());
    expect(view.error).toEqual({
      code: 'meeting_unreachable',
      message: RECORDING_ERROR_MESSAGES.meeting_unreachable,
    });
    const unknown = toView(uploadedRecording({ error: { code: 'something_new', message: 'stack trace' } }));
    expect(unknown.error).toEqual({
      code: 'recorder_failed',
      message: RECORDING_ERROR_MESSAGES.recorder_failed,
    });
  });
});

describe('the public error allow-list', () => {
  it('maps every workflow failure to a known code and its fixed message', () => {
    const cases: [string | undefined, string][] = [
      ['States.Timeout', 'recorder_timeout'],
      ['States.HeartbeatTimeout', 'recorder_lost'],
      ['States.TaskFailed', 'recorder_failed'],
      ['Recorder.MeetingUnreachable', 'meeting_unreachable'],
      ['Recorder.UrlRefused', 'url_refused'],
      ['Recorder.NothingRecorded', 'nothing_recorded'],
      ['Recorder.UploadFailed', 'upload_failed'],
      ['Recorder.StoppedBeforeStart', 'stopped_before_start'],
      ['Recorder.TaskStopped', 'task_stopped'],
      ['Recorder.Internal', 'recorder_failed'],
      ['Recorder.SomethingUnheardOf', 'recorder_failed'],
      ['Lambda.Unknown', 'recorder_failed'],
      [undefined, 'recorder_failed'],
    ];
    for (const [stepError, code] of cases) {
      const error = recordingErrorFor(stepError);
      expect(error.code, String(stepError)).toBe(code);
      expect(error.message).toBe(RECORDING_ERROR_MESSAGES[code as keyof typeof RECORDING_ERROR_MESSAGES]);
    }
  });

  it('has a short message without internals for every code', () => {
    for (const [code, message] of Object.entries(RECORDING_ERROR_MESSAGES)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(message).toMatch(/^[A-Z][^\n]{10,120}\.$/);
      expect(message).not.toMatch(/arn:|\d{12}|Error:|at \w+ \(/);
    }
  });
});
