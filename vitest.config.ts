import { defineConfig } from 'vitest/config'

export default defineConfig({
  // One copy of graphql: without this, vitest hands our sources graphql's ESM build while Yoga
  // loads the CommonJS one, and Yoga rejects our schema as coming "from another realm".
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    // The fixture suite loads the big reference databases and has its own script and config.
    // So does the installed-package test (test/package/: npm install takes minutes).
    exclude: ['**/node_modules/**', 'test/fixtures-suite/**', 'test/package/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Tests run against real databases (and PGlite, which is slower to start than a query).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Separate processes: PGlite (WASM), Prisma's WASM engines and pg pools do not share well in threads.
    pool: 'forks',
    // Two at a time, even on two cores: most of a test's time is spent waiting for PostgreSQL,
    // child processes and timers (vitest's default here would be one).
    maxWorkers: 2,
  },
})
