import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startBody } from '../../support/api-env.js';
import { documents, tableName } from '../../support/aws.js';
import type { ApiUnderTest } from './api-under-test.js';
import { errorShapeProblem } from './contract.js';
import { send } from './http-client.js';
import { jsonRequest, uniqueMeetingId } from './world.js';

/**
 * Starts each URL and reports every one that was not refused the contract's way: 400 on body.meetingUrl,
 * in the error shape, with no workflow started and no meeting lock left. An empty list means all refused.
 */
export async function unrefusedUrls(
  api: ApiUnderTest,
  key: string,
  clientId: string,
  urls: readonly string[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const meetingUrl of urls) {
    const meetingId = uniqueMeetingId('url');
    const executions = api.executionsStarted();
    const answer = await send(
      api.url,
      jsonRequest('POST', '/v1/recordings', key, startBody({ meetingId, meetingUrl })),
    );
    const body = answer.body.toString('utf8');
    const lock = await documents.send(
      new GetCommand({
        TableName: tableName(),
        Key: { pk: `LOCK#${clientId}#${meetingId}`, sk: 'LOCK' },
        ConsistentRead: true,
      }),
    );
    const field = answer.status === 400 ? JSON.parse(body).error.details?.[0]?.field : undefined;
    const problem =
      answer.status !== 400
        ? `answered ${answer.status}`
        : (errorShapeProblem(answer.status, answer.body) ??
          (field !== 'body.meetingUrl' ? `refused for ${field}, not body.meetingUrl` : null) ??
          (api.executionsStarted() !== executions ? 'started a workflow' : null) ??
          (lock.Item ? 'left a meeting lock' : null));
    if (problem) problems.push(`${meetingUrl} ${problem}`);
  }
  return problems;
}

/** How many recordings the client has, through the API. */
export async function recordingCount(api: ApiUnderTest, key: string): Promise<number> {
  const answer = await send(api.url, jsonRequest('GET', '/v1/recordings?limit=100', key));
  if (answer.status !== 200) throw new Error(`list answered ${answer.status}`);
  return JSON.parse(answer.body.toString('utf8')).items.length;
}
