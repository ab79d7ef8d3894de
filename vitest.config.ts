import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One native MLX per worker; forks keep a crash in one file from hiding others.
    pool: 'forks',
    testTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
  },
});
