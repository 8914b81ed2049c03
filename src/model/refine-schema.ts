/**
 * From Prisma's introspection to Portico's schema.prisma: keys for keyless tables, materialized
 * views, descriptions, then names. Each pass is its own module; this is the order they run in.
 */
import type { Catalog } from '../introspect/catalog.js'
import { addDescriptions } from './add-descriptions.js'
import { addMaterializedViews } from './add-materialized-views.js'
import { applyNames } from './apply-names.js'
import { declareKeys } from './declare-keys.js'
import { blocks, parsePrismaSchema, printPrismaSchema, type Schema } from './prisma-ast.js'

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
  sortBlockAttributes(ast)
  return { schema: printPrismaSchema(ast), notes }
}

const ATTRIBUTE_ORDER = ['id', 'unique', 'index', 'map', 'schema']

/**
 * Block attributes in one canonical order, whatever order the engine kept from a previous file:
 * the same database always gives the same text.
 */
function sortBlockAttributes(schema: Schema): void {
  const rank = (name: string) => (ATTRIBUTE_ORDER.includes(name) ? ATTRIBUTE_ORDER.indexOf(name) : ATTRIBUTE_ORDER.length)
  for (const block of blocks(schema)) {
    const attributes = block.properties.filter((p) => p.type === 'attribute')
    const sorted = attributes
      .map((attribute, index) => ({ attribute, index }))
      .sort((a, b) => rank(a.attribute.name) - rank(b.attribute.name) || a.index - b.index)
      .map(({ attribute }) => attribute)
    let next = 0
    block.properties = block.properties.map((p) => (p.type === 'attribute' ? sorted[next++]! : p))
  }
}
