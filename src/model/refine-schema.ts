/**
 * From Prisma's introspection to Portico's schema.prisma: keys for keyless tables, materialized
 * views, descriptions, then names. Each pass is its own module; this is the order they run in.
 */
import type { Catalog } from '../introspect/catalog.js'
import { addDescriptions } from './add-descriptions.js'
import { addMaterializedViews } from './add-materialized-views.js'
import { applyNames } from './apply-names.js'
import { declareKeys } from './declare-keys.js'
import { parsePrismaSchema, printPrismaSchema } from './prisma-ast.js'

export interface RefinedSchema {
  schema: string
  /** What Portico changed or left out, for the log. */
  notes: string[]
}

export function refinePrismaSchema(introspected: string, catalog: Catalog, primaryKeys: Record<string, string[]>): RefinedSchema {
  const notes: string[] = []
  const ast = parsePrismaSchema(introspected)
  declareKeys(ast, catalog, primaryKeys, notes)
  addMaterializedViews(ast, catalog, notes)
  addDescriptions(ast, catalog)
  applyNames(ast)
  return { schema: printPrismaSchema(ast), notes }
}
