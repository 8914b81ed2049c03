/**
 * GraphQL Codegen's client preset: the repository's schema.graphql and the operations written in
 * src/ become src/gql/ (TypedDocumentNode per operation; generated, not committed). Paths are
 * absolute so it runs from any working directory (`npm run dashboard` runs it from the root).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CodegenConfig } from '@graphql-codegen/cli'

const here = path.dirname(fileURLToPath(import.meta.url))

const config: CodegenConfig = {
  schema: path.join(here, '..', '..', 'schema.graphql'),
  documents: [path.join(here, 'src', '**', '*.ts'), `!${path.join(here, 'src', 'gql', '**')}`],
  ignoreNoDocuments: false,
  generates: {
    [path.join(here, 'src', 'gql') + '/']: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // Portico's scalars as they travel in JSON (README, "Types").
        scalars: { DateTime: 'string', BigInt: 'string', Decimal: 'string', JSON: 'unknown' },
        defaultScalarType: 'unknown',
      },
    },
  },
}

export default config
