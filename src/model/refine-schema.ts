/**
 * From Prisma's introspection to Portico's schema.prisma: materialized views, omitted tables,
 * domains, keys for keyless tables and views, descriptions, then names. Each pass is its own module; this is the order they run in.
 */
import type { Catalog } from '../introspect/catalog.js'
import { addDescriptions } from './add-descriptions.js'
import { addMaterializedViews } from './add-materialized-views.js'
import { applyNames } from './apply-names.js'
import { declareKeys } from './declare-keys.js'
import { omitTables } from './omit-tables.js'
import { resolveDomains } from './resolve-domains.js'
import { dropPartialIndexes } from './partial-indexes.js'
import { readTemporalsAsText } from './exact-temporal.js'
import { readUnsupportedAsText } from './text-read-types.js'
import { blocks, enums, fields, parsePrismaSchema, printPrismaSchema, type Schema } from './prisma-ast.js'

export interface RefinedSchema {
  schema: string
  /** What Portico changed or left out, for the log. */
  notes: string[]
}

export function refinePrismaSchema(introspected: string, catalog: Catalog): RefinedSchema {
  const notes: string[] = []
  const ast = parsePrismaSchema(introspected)
  // Materialized views first: the passes after it (@omit, declared keys) apply to them too.
  addMaterializedViews(ast, catalog, notes)
  dropPartialIndexes(ast)
  omitTables(ast, catalog, notes)
  resolveDomains(ast, catalog)
  declareKeys(ast, catalog, notes)
  readTemporalsAsText(ast)
  readUnsupportedAsText(ast, notes)
  addDescriptions(ast, catalog)
  applyNames(ast, catalog)
  canonicalLayout(ast)
  return { schema: printPrismaSchema(ast), notes }
}

const BLOCK_ATTRIBUTE_ORDER = ['id', 'unique', 'index', 'map', 'schema']
const FIELD_ATTRIBUTE_ORDER = ['id', 'default', 'unique', 'updatedAt', 'map', 'db', 'relation', 'ignore']

function rankIn(order: string[]) {
  return (name: string) => (order.includes(name) ? order.indexOf(name) : order.length)
}

function stableSort<T>(items: T[], rank: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map(({ item }) => item)
}

/**
 * One canonical layout, whatever the engine kept from a previous file, so the same database
 * always gives the same text: field attributes in a fixed order, then one blank line and the
 * block attributes in a fixed order (enums likewise).
 */
function canonicalLayout(schema: Schema): void {
  const blockRank = rankIn(BLOCK_ATTRIBUTE_ORDER)
  const fieldRank = rankIn(FIELD_ATTRIBUTE_ORDER)
  for (const block of blocks(schema)) {
    for (const field of fields(block)) {
      if (field.attributes) field.attributes = stableSort(field.attributes, (a) => fieldRank(a.group ?? a.name))
    }
    const members = block.properties.filter((p) => p.type !== 'attribute' && p.type !== 'break')
    const attributes = stableSort(block.properties.filter((p) => p.type === 'attribute'), (a) => blockRank(a.name))
    // The printer groups attributes by kind; a view's own and parsed ones must agree.
    for (const attribute of attributes) attribute.kind = block.type === 'view' ? 'view' : 'object'
    block.properties = attributes.length ? [...members, { type: 'break' }, ...attributes] : members
  }
  for (const e of enums(schema)) {
    const members = e.enumerators.filter((x) => x.type !== 'attribute' && x.type !== 'break')
    const attributes = stableSort(e.enumerators.filter((x) => x.type === 'attribute'), (a) => blockRank(a.name))
    e.enumerators = attributes.length ? [...members, { type: 'break' }, ...attributes] : members
  }
}
