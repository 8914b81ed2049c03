/**
 * `node --import ./test/support/module-log.mjs ...` with PORTICO_MODULE_LOG=<file>: appends the URL
 * of every module the process resolves through the ES module loader to <file>, one per line, so a
 * test can tell what a command loaded (no TypeScript, no tsx) and a person what start-up costs.
 */
import { register } from 'node:module'

if (process.env.PORTICO_MODULE_LOG) register('./module-log-hooks.mjs', import.meta.url, { data: { file: process.env.PORTICO_MODULE_LOG } })
