import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { logger } from '../observability.js';
import {
  type ObjectRemover,
  type WorkflowInput,
  type WorkflowStarter,
  WorkflowStartUnknownError,
} from './recording-service.js';

/** An answer from Step Functions itself refusing the call: nothing was created. */
function isRefusal(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status < 500;
}

/** Starts the recording's workflow execution, named after the recording so a retry cannot start two. */
export class StepFunctionsWorkflowStarter implements WorkflowStarter {
  private readonly executionArnPrefix: string;

  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {
    this.executionArnPrefix = stateMachineArn.replace(':stateMachine:', ':execution:');
  }

  async start(input: WorkflowInput): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: input.recordingId,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return;
      if (isRefusal(error)) throw error;
      // A timeout or a 5xx may come after the execution was created: ask for it by its name.
      await this.settleUnclearStart(input.recordingId, error);
    }
  }

  private async settleUnclearStart(recordingId: string, startError: unknown): Promise<void> {
    try {
      await this.sfn.send(
        new DescribeExecutionCommand({ executionArn: `${this.executionArnPrefix}:${recordingId}` }),
      );
      logger.warn('StartExecution answered unclearly, but the execution exists', { recordingId, startError });
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) throw startError;
      throw new WorkflowStartUnknownError(recordingId, startError);
    }
  }
}

export class S3ObjectRemover implements ObjectRemover {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
