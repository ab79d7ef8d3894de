import { defineConfig } from 'vitest/config';

// With the GPU as default device, the run ends with the list of CPU-only tests it skipped.
const gpu = process.env.MLX_TAPE_DEVICE?.startsWith('gpu');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One native MLX per worker; forks keep a crash in one file from hiding others.
    pool: 'forks',
    // On a fresh CUDA host the first compiled graphs build their kernels (NVRTC),
    // a minute or more while other test files do the same (an H100 host, acebdc1).
    testTimeout: gpu ? 300_000 : 60_000,
    setupFiles: ['test/setup.ts'],
    reporters: gpu ? ['default', './test/helpers/cpu-only-reporter.ts'] : ['default'],
  },
});
