import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { isThrottlingAwsError, isTransientAwsError } from '../aws-errors.js';
import type { Recording } from '../domain/recording.js';
import type { RecordingReadyEmail } from '../email/recording-ready-email.js';
import { StepError } from './workflow-handler.js';

export interface HostMailSettings {
  readonly senderEmail: string;
  readonly configurationSet?: string;
}

function classifySesError(error: unknown): StepError {
  const name = (error as { name?: string }).name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  const message = `${name}: ${(error as Error).message ?? ''}`.slice(0, 500);
  if (isThrottlingAwsError(error)) return new StepError('EmailThrottled', message);
  // No HTTP status: SES never answered (credentials, network), so nothing says the message is bad.
  if (isTransientAwsError(error) || status === 0) return new StepError('EmailTransient', message);
  return new StepError('EmailRejected', message);
}

/** Sends one email to the recording's host through SES; failures become the steps' retryable errors. */
export async function sendToHost(
  ses: SESv2Client,
  settings: HostMailSettings,
  recording: Recording,
  email: RecordingReadyEmail,
): Promise<void> {
  try {
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: settings.senderEmail,
        Destination: { ToAddresses: [recording.host.email] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        },
        ...(settings.configurationSet ? { ConfigurationSetName: settings.configurationSet } : {}),
        EmailTags: [{ Name: 'recordingId', Value: recording.id.replace(/[^A-Za-z0-9_-]/g, '_') }],
      }),
    );
  } catch (error) {
    throw classifySesError(error);
  }
}
