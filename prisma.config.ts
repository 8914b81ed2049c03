/**
 * For anyone running Prisma's own CLI in this project (`npx prisma generate`): Portico never uses
 * Prisma's native schema engine (it introspects with the WASM engine), so point the CLI at a
 * placeholder instead of letting it download a binary. See ../shared/notes/prisma-offline.md.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'prisma/config'

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL('./prisma/no-schema-engine.sh', import.meta.url))

export default defineConfig({
  schema: 'prisma/schema.prisma',
})
