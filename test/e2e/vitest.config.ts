import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// End-to-end tests: local mode as a library, real recorder. Slow and CPU-heavy, so one file at a time.
export default defineProject({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 420_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
