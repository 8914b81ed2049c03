/**
 * The fixture suite (`npm run test:fixtures`): the API on the shared reference databases (pagila,
 * chinook, iotawatt), each answer compared with SQL. Same setup as vitest.config.ts (one graphql,
 * globalSetup, timeouts, forks); only the files differ. Spread, not mergeConfig: mergeConfig
 * concatenates arrays, which would bring back the ordinary tests and run globalSetup twice.
 */
import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/fixtures-suite/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
  },
})
