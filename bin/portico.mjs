#!/usr/bin/env node
// Portico runs the JavaScript `npm run build` writes to dist/, bundled (dist/portico-cli.mjs and its
// chunks): no TypeScript is transpiled at run time. In a checkout, sources newer than dist/ are built first (bin/build.mjs).
import { setFlagsFromString } from 'node:v8'
import { buildIfStale } from './build.mjs'

/** Sets a V8 flag for the served process unless node's command line names that flag itself. */
const defaultV8Flag = (name, flag) => {
  if (!process.execArgv.some((option) => option.includes(name))) setFlagsFromString(flag)
}
// No allocation-site pretenuring. V8 moves an allocation site's objects straight to the old
// generation once most of them have survived a young collection. Under load it does that to pg's
// rows, and a row in the old generation then keeps its text alive through every young collection
// until a full one: 23% of all bytes allocated under `list` were promoted, and peak RSS grew past
// 250 MB. Without it, 0.9%. Measured with `node --trace-gc-nvp`; test/benchmark/README.md,
// "Memory", has the figures. (NODE_OPTIONS cannot carry this flag.)
defaultV8Flag('allocation-site-pretenuring', '--no-allocation-site-pretenuring')
// A fixed growth of the old generation between full collections: three times what survived the
// last one. V8's own factor moves between 1.1 and 4 with its estimate of the collector's speed; on
// large answers under auth it stayed near 1.1, a full collection every 5-8 MB of garbage (13 in 10
// s of nested, 2.9 ms of CPU a request against 2.0 without auth). With 3: 1.5 ms for both, iot
// 0.64 ms (0.70 with V8's). The price is memory where V8 would have grown less: peaks of 226-241 MB
// on byIds and entities in the full benchmark, 143-156 MB before.
defaultV8Flag('heap-growing-percent', '--heap-growing-percent=200')

try {
  buildIfStale()
} catch (error) {
  process.stderr.write(`portico: ${error.message}\n`)
  process.exit(1)
}
const { run } = await import('../dist/portico-cli.mjs')
await run(process.argv)
