import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Integration and end-to-end tests share one Docker engine on a 2-core machine.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
