import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The CDK and embedded-service tests are heavy; two workers fit a 2-core machine.
    maxWorkers: 2,
  },
});
