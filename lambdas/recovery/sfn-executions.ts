import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionState, ReconcileDeps } from './reconcile.js';

/** The executions of one state machine, by name, as the reconciler needs them. */
export function sfnExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
): Pick<ReconcileDeps, 'describe' | 'stop' | 'start'> {
  const executionArn = (name: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  return {
    async describe(name) {
      try {
        const answer = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(name) }));
        return {
          name,
          status: answer.status as ExecutionState['status'],
          startDate: answer.startDate ?? new Date(0),
        };
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return undefined;
        throw error;
      }
    },
    async stop(name, cause) {
      try {
        await sfn.send(
          new StopExecutionCommand({
            executionArn: executionArn(name),
            error: 'Reconciler.Stopped',
            cause: cause.slice(0, 32_000),
          }),
        );
      } catch (error) {
        if (!(error instanceof ExecutionDoesNotExist)) throw error;
      }
    },
    async start(name, input) {
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      } catch (error) {
        // Another reconcile run started this attempt first.
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
      }
    },
  };
}
