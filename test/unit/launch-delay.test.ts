import { describe, expect, it } from 'vitest';
import { DEFAULT_LAUNCH_POLICY, nextWaitSeconds } from '../../lambdas/workflow/launch-delay.js';

describe('launch delay', () => {
  it('waits grow by doubling up to the cap, jittered within the upper half', () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => nextWaitSeconds(n, DEFAULT_LAUNCH_POLICY, () => 0));
    const high = [1, 2, 3, 4, 5, 6].map((n) => nextWaitSeconds(n, DEFAULT_LAUNCH_POLICY, () => 1));
    expect(low).toEqual([5, 10, 20, 30, 30, 30]);
    expect(high).toEqual([10, 20, 40, 60, 60, 60]);
  });
});
