import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit+integration', include: ['src/**/*.test.ts'] },
      },
      {
        // End-to-end files run the CLI against one shared Docker engine, and every run sweeps containers of killed
        // runs: one file at a time keeps each file's view of the engine its own.
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/browser/**'], fileParallelism: false },
      },
      {
        // Browser tests drive one headless Chromium each; one file at a time keeps them from starving each other.
        extends: true,
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false },
      },
    ],
  },
});
