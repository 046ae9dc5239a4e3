import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LAUNCH_POLICY,
  nextWaitSeconds,
  sanitizeLaunchMessage,
} from '../../lambdas/workflow/launch-delay.js';

describe('launch delay', () => {
  it('removes ARNs, account ids, resource ids and addresses from what the client sees', () => {
    const cause =
      'Tasks provisioning failed: arn:aws:ecs:eu-west-1:123456789012:task/cluster/0abc RESOURCE:ENI in subnet-0a1b2c3d4e5f ' +
      'sg-0123456789abcdef0 for 10.0.12.7:443 (ip-10-0-12-7.eu-west-1.compute.internal, fe80:0:0:0:200:f8ff:fe21:67cf) account 123456789012';
    const message = sanitizeLaunchMessage(cause);
    expect(message).toBe(
      'Tasks provisioning failed: <arn> RESOURCE:ENI in <subnet> <sg> for <address> (<address>, <address>) account <account>',
    );
    expect(sanitizeLaunchMessage('y'.repeat(400))).toHaveLength(300);
  });

  it('waits grow by doubling up to the cap, jittered within the upper half', () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => nextWaitSeconds(n, DEFAULT_LAUNCH_POLICY, () => 0));
    const high = [1, 2, 3, 4, 5, 6].map((n) => nextWaitSeconds(n, DEFAULT_LAUNCH_POLICY, () => 1));
    expect(low).toEqual([5, 10, 20, 30, 30, 30]);
    expect(high).toEqual([10, 20, 40, 60, 60, 60]);
  });
});
