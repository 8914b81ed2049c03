/**
 * `npm run test:package`: the packed tarball installed into an empty folder and run as a user runs
 * it (test/package/). Apart from the ordinary tests because `npm install` of Portico's dependencies
 * takes minutes on a busy machine. Same setup as vitest.config.ts otherwise.
 */
import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/package/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
  },
})
