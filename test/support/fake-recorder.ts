/**
 * A stand-in for the recorder program in workflow tests: same environment contract, no browser. Behaviour
 * by FAKE_MODE: `succeed` reports success, `fail` reports Recorder.Crashed, `hang` never reports and
 * records in DynamoDB that SIGTERM stopped it. It always writes its task ARN on the recording item first.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

const { RECORDING_ID, TASK_TOKEN, TASK_ARN, TABLE_NAME, FAKE_MODE } = process.env;
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sfn = new SFNClient({});

const update = (expression: string, values: Record<string, unknown>) =>
  documents.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: { pk: `REC#${RECORDING_ID}`, sk: 'REC' },
      UpdateExpression: expression,
      ExpressionAttributeValues: values,
    }),
  );

await update('SET taskArn = :arn', { ':arn': TASK_ARN });
if (FAKE_MODE === 'succeed') {
  const report = {
    objectKey: `recordings/${RECORDING_ID}.mp4`,
    sizeBytes: 1,
    env: { TABLE_NAME, RECORDING_ID },
  };
  await sfn.send(new SendTaskSuccessCommand({ taskToken: TASK_TOKEN, output: JSON.stringify(report) }));
} else if (FAKE_MODE === 'fail') {
  await sfn.send(
    new SendTaskFailureCommand({ taskToken: TASK_TOKEN, error: 'Recorder.Crashed', cause: 'no browser' }),
  );
} else {
  process.once('SIGTERM', () => {
    void update('SET stoppedBy = :signal', { ':signal': 'SIGTERM' }).then(() => process.exit(0));
  });
  setInterval(() => {}, 1000);
}
