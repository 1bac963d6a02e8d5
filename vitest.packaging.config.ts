import { defineConfig } from 'vitest/config';

// The packaging check (npm pack, install into an empty folder, run the installed CLI) is its own
// step of .ci/run: it takes a minute or more of npm and a native build, not worth paying in every
// `npm test`.
export default defineConfig({
  test: {
    include: ['test/packaging/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
