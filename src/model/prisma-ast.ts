/**
 * Small helpers over @mrleebo/prisma-ast's tree of a schema.prisma file, so the passes that refine
 * Prisma's introspection read as what they do, not as tree surgery.
 */
// The package's CommonJS entry requires chevrotain, which is ESM-only: use its ESM build.
import { getSchema, printSchema } from '@mrleebo/prisma-ast/dist/prisma-ast.esm.js'
import type {
  Attribute,
  BlockAttribute,
  Enum,
  Field,
  Model,
  Schema,
  Value,
  View,
} from '@mrleebo/prisma-ast'

export type { Attribute, BlockAttribute, Enum, Field, Model, Schema, Value, View }
export type Block = Model | View

export const parsePrismaSchema = (text: string): Schema => getSchema(text)
/** Prints the schema; a `///` doc comment must touch its block, so the blank line the printer puts between top-level items goes. */
export const printPrismaSchema = (schema: Schema): string => printSchema(schema).replace(/^(\/\/\/[^\n]*\n)\n+(?=(model|view|enum) )/gm, '$1')

export function blocks(schema: Schema): Block[] {
  return schema.list.filter((b): b is Block => b.type === 'model' || b.type === 'view')
}

export function enums(schema: Schema): Enum[] {
  return schema.list.filter((b): b is Enum => b.type === 'enum')
}

export function fields(block: Block): Field[] {
  return block.properties.filter((p): p is Field => p.type === 'field')
}

export function blockAttributes(block: Block, name?: string): BlockAttribute[] {
  return block.properties.filter(
    (p): p is BlockAttribute => p.type === 'attribute' && (name === undefined || p.name === name),
  )
}

export function fieldAttribute(field: Field, name: string): Attribute | undefined {
  return field.attributes?.find((a) => a.name === name && !a.group)
}

export const quote = (text: string): string => JSON.stringify(text)
export const unquote = (value: unknown): string =>
  typeof value === 'string' && value.startsWith('"') ? (JSON.parse(value) as string) : String(value)

/** The first positional string argument of an attribute (`@map("x")`, `@@schema("api")`). */
export function stringArgument(attribute: { args?: { value: unknown }[] } | undefined): string | undefined {
  const value = attribute?.args?.find((a) => typeof a.value === 'string')?.value
  return value === undefined ? undefined : unquote(value)
}

/** The database name of a model or view (`@@map`, else its name) and its schema (`@@schema`). */
export function dbNameOf(block: Block): { schema: string; name: string } {
  return {
    name: stringArgument(blockAttributes(block, 'map')[0]) ?? block.name,
    schema: stringArgument(blockAttributes(block, 'schema')[0]) ?? 'public',
  }
}

export function dbFieldNameOf(field: Field): string {
  return stringArgument(fieldAttribute(field, 'map')) ?? field.name
}

export function enumDbNameOf(e: Enum): { schema: string; name: string } {
  const attrs = e.enumerators.filter((x): x is BlockAttribute => x.type === 'attribute')
  return {
    name: stringArgument(attrs.find((a) => a.name === 'map')) ?? e.name,
    schema: stringArgument(attrs.find((a) => a.name === 'schema')) ?? 'public',
  }
}

export function isRelationField(field: Field, modelNames: Set<string>): boolean {
  return typeof field.fieldType === 'string' && modelNames.has(field.fieldType)
}

/** The value of an attribute's named argument (`name: "x"` in `@@id([a], name: "x")`), if it has one. */
export function namedArgument(attribute: { args?: { value: unknown }[] } | undefined, key: string): unknown {
  for (const arg of attribute?.args ?? []) {
    const value = arg.value as { type?: string; key?: string; value?: unknown }
    if (value?.type === 'keyValue' && value.key === key) return value.value
  }
  return undefined
}

/** `@relation(fields: [...])` argument of a relation field: the foreign-key side has one. */
export function relationKeyValue(field: Field, key: 'fields' | 'references'): string[] | undefined {
  const value = namedArgument(fieldAttribute(field, 'relation'), key) as { type?: string; args?: Value[] } | undefined
  return value?.type === 'array' ? (value.args ?? []).map((v) => String(v)) : undefined
}

export function relationName(field: Field): string | undefined {
  return stringArgument(fieldAttribute(field, 'relation'))
}

export function blockAttribute(name: string, args: Value[], kind: 'object' | 'view' = 'object'): BlockAttribute {
  return { type: 'attribute', kind, name, args: args.map((value) => ({ type: 'attributeArgument', value })) }
}

export function fieldMap(dbName: string): Attribute {
  return { type: 'attribute', kind: 'field', name: 'map', args: [{ type: 'attributeArgument', value: quote(dbName) }] }
}

export function fieldList(names: string[]): Value {
  return { type: 'array', args: names }
}

/** Removes every relation field that points at one of `models`, and those models' own relations. */
export function dropRelations(schema: Schema, models: Set<string>): void {
  const modelNames = new Set(blocks(schema).map((b) => b.name))
  for (const block of blocks(schema)) {
    block.properties = block.properties.filter(
      (p) => !(p.type === 'field' && (models.has(String(p.fieldType)) || (models.has(block.name) && isRelationField(p, modelNames)))),
    )
  }
}

/** The field names a block attribute lists: `@@index([a, b(ops: ...)])`, `@@unique([a, b])`. */
export function fieldListOf(attribute: BlockAttribute): string[] {
  const list = attribute.args?.[0]?.value as { type?: string; args?: unknown[] } | undefined
  if (list?.type !== 'array') return []
  return (list.args ?? []).map((item) => (typeof item === 'string' ? item : String((item as { name?: unknown }).name)))
}
