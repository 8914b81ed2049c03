/**
 * The datamodel Pothos's Prisma plugin reads (`getDatamodel()` of the generated pothos-types), made
 * from the schema.prisma text itself, so a schema can be built before `prisma generate` has run.
 *
 * `prisma-pothos-types` writes the same thing from Prisma's DMMF: per model (and view) its fields
 * with kind, type, required/list, default, id, unique, updatedAt, relation name and foreign-key
 * fields, its `@@id` and `@@unique`s, and `///` documentation. The DMMF leaves out Unsupported
 * fields and names an unnamed relation after its two models, sorted, joined by "To".
 * test/pothos-datamodel.test.ts and the fixture suite hold it equal to the generated one.
 */
import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma'
import { blockAttributes, blocks, enums, fieldAttribute, fieldListOf, namedArgument, parsePrismaSchema, relationKeyValue, relationName, unquote, type Block, type BlockAttribute, type Field } from './prisma-ast.js'

type ModelData = PothosPrismaDatamodel['datamodel']['models'][string]

export function pothosDatamodelOf(prismaSchema: string): PothosPrismaDatamodel {
  const schema = parsePrismaSchema(prismaSchema)
  const modelNames = new Set(blocks(schema).map((block) => block.name))
  const enumNames = new Set(enums(schema).map((e) => e.name))
  const models: Record<string, ModelData> = {}
  // The DMMF lists models first, then views, each in the file's order.
  const items = schema.list.map((item, index) => ({ item, index }))
  for (const { item, index } of [...items.filter((i) => i.item.type === 'model'), ...items.filter((i) => i.item.type === 'view')]) {
    const block = item as Block
    models[block.name] = {
      fields: fieldsOf(block, modelNames, enumNames),
      primaryKey: keyOf(blockAttributes(block, 'id')[0]),
      uniqueIndexes: blockAttributes(block, 'unique').map((attribute) => keyOf(attribute)!),
      documentation: documentation(schema.list, index),
    }
  }
  return { datamodel: { models } }
}

function fieldsOf(block: Block, modelNames: Set<string>, enumNames: Set<string>): ModelData['fields'] {
  const result: ModelData['fields'][number][] = []
  // A one-field @@unique or @@id makes its field unique or the id, as @unique and @id do.
  const single = (name: string) => new Set(blockAttributes(block, name).map(fieldListOf).filter((list) => list.length === 1).map((list) => list[0]!))
  const uniqueAlone = single('unique')
  const idAlone = single('id')
  block.properties.forEach((property, index) => {
    if (property.type !== 'field') return
    const field = property as Field
    const type = field.fieldType
    if (typeof type !== 'string') return // Unsupported("...")
    const kind = modelNames.has(type) ? 'object' : enumNames.has(type) ? 'enum' : 'scalar'
    const object = kind === 'object'
    result.push({
      type,
      kind,
      name: field.name,
      isRequired: !field.optional,
      isList: field.array === true,
      hasDefaultValue: fieldAttribute(field, 'default') !== undefined,
      isUnique: fieldAttribute(field, 'unique') !== undefined || uniqueAlone.has(field.name),
      isId: fieldAttribute(field, 'id') !== undefined || idAlone.has(field.name),
      relationName: object ? (relationName(field) ?? [block.name, type].sort().join('To')) : undefined,
      relationFromFields: object ? (relationKeyValue(field, 'fields') ?? []) : undefined,
      isUpdatedAt: fieldAttribute(field, 'updatedAt') !== undefined,
      documentation: documentation(block.properties, index),
    } as ModelData['fields'][number])
  })
  return result
}

/** `@@id([a, b], name: "x")` or `@@unique(...)`: its name (null when none) and fields. */
function keyOf(attribute: BlockAttribute | undefined): ModelData['primaryKey'] {
  if (!attribute) return null
  const name = namedArgument(attribute, 'name')
  return { name: name === undefined ? null : unquote(name), fields: fieldListOf(attribute) }
}

/** The `///` comment lines right before item `index`, joined by newlines, as Prisma reads them. */
function documentation(items: readonly { type: string; text?: string }[], index: number): string | undefined {
  const lines: string[] = []
  for (let i = index - 1; i >= 0 && items[i]!.type === 'comment'; i--) {
    const text = items[i]!.text ?? ''
    if (!text.startsWith('///')) break
    lines.unshift(text.slice(3).replace(/^ /, ''))
  }
  return lines.length > 0 ? lines.join('\n') : undefined
}

/** Whether two datamodels say the same, as JSON (where an undefined member is an absent one). */
export function sameDatamodel(a: PothosPrismaDatamodel, b: PothosPrismaDatamodel): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
