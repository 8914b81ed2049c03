/**
 * The generator and datasource blocks of every schema.prisma Portico writes. Output paths are
 * relative to the schema file: prisma/schema.prisma generates into src/generated/, and a cached
 * copy under .portico/clients/<hash>/prisma/ generates into that folder's src/generated/.
 */
export function schemaHeader(schemas: string[]): string {
  return `// Written by \`portico introspect\` from the database; Portico's naming is applied with @map/@@map.
// Edit the database (or portico.config.json), not this file: introspection rewrites it.

generator client {
  provider        = "prisma-client"
  output          = "../src/generated/prisma"
  previewFeatures = ["relationJoins", "views"]
}

generator pothos {
  provider     = "prisma-pothos-types"
  clientOutput = "./prisma"
  output       = "../src/generated/pothos-types.ts"
  // Keeps the /// comments (database comments) in the datamodel: they become descriptions.
  documentation = true
}

datasource db {
  provider = "postgresql"
  schemas  = ${JSON.stringify(schemas)}
}
`
}
