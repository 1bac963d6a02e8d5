import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A step of its own in .ci/run: see vitest.packaging.config.ts.
    exclude: [...configDefaults.exclude, 'test/packaging/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest leaves one core to itself by default, which on a 2-core machine means one test file at
    // a time; most files here spend much of their time waiting on sockets and child processes.
    maxWorkers: 2,
  },
});
