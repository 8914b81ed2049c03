#!/usr/bin/env node
// Portico runs its TypeScript sources (and the Prisma client it generates at start-up) through tsx.
import { register } from 'tsx/esm/api'

register()
const { run } = await import('../src/cli/main.ts')
await run(process.argv)
