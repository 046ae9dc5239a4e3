import { describe, expect, it } from 'vitest';
import { scrubbedEnv } from '../../recorder-container/src/processes.js';

describe("the recorder's child processes' environment", () => {
  it('drops AWS and ECS credentials, the task token and Google API keys, and keeps the rest', () => {
    const env = scrubbedEnv(
      {
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x',
        ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x',
        TASK_TOKEN: 'token',
        GOOGLE_API_KEY: 'key',
        GOOGLE_DEFAULT_CLIENT_SECRET: 'client-secret',
        PATH: '/usr/bin',
        LANG: 'C.UTF-8',
      },
      { DISPLAY: ':99' },
    );
    expect(env).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8', DISPLAY: ':99' });
  });
});
