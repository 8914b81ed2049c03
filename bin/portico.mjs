#!/usr/bin/env node
// Portico runs the JavaScript `npm run build` writes to dist/, bundled (dist/portico-cli.mjs and its
// chunks): no TypeScript is transpiled at run time. In a checkout, sources newer than dist/ are built first (bin/build.mjs).
import { buildIfStale } from './build.mjs'

try {
  buildIfStale()
} catch (error) {
  process.stderr.write(`portico: ${error.message}\n`)
  process.exit(1)
}
const { run } = await import('../dist/portico-cli.mjs')
await run(process.argv)
