/**
 * Mutations that must not write, so the database can be checked unchanged afterwards. Two kinds:
 *
 * - Invalid by validation: random arguments plus one certain defect (an unknown argument, a
 *   required argument left out, an unknown field selected): GraphQL refuses the whole document.
 * - Valid GraphQL that must fail, or match nothing, when it runs, with hostile values everywhere
 *   else: a create (or upsert's create) carries the key of a row that exists (a duplicate); an
 *   update or delete targets a key no row has; an updateMany or deleteMany filters on
 *   `AND: [<key no row has>, <random filter>]` with `all: false`; an insert into a keyless table has a NUL byte in
 *   its text, which PostgreSQL refuses.
 *
 * A response to either may only hold null fields or `{ count: 0 }` (./checks.ts).
 */
import { getNamedType, isNonNullType, type GraphQLField, type GraphQLInputObjectType, type GraphQLSchema } from 'graphql'
import type { ModelInfo } from '../../../src/model/datamodel.js'
import { DocumentBuilder, type Mode, type Operation } from './documents.js'
import { hostileString } from './hostile.js'
import type { Random } from './random.js'
import type { Key, ModelSample, Samples } from './samples.js'
import { bool, list, num, obj, str, type Val } from './values.js'

type Field = GraphQLField<unknown, unknown>

const valueOf = (v: unknown): Val => (typeof v === 'number' ? num(v) : str(String(v)))

export function mutationOperation(r: Random, schema: GraphQLSchema, samples: Samples, mode: Mode): Operation {
  const b = new DocumentBuilder(r, schema, samples, mode)
  const fields = Object.values(schema.getMutationType()!.getFields())
  const parts: string[] = []
  const invalid = r.chance(0.3)
  for (let i = r.weighted([[4, 1], [1, 2]]); i > 0; i -= 1) {
    if (invalid) {
      parts.push(invalidField(b, r.pick(fields)))
      continue
    }
    const planned = plannedField(b, r.pick(fields), samples)
    if (planned) parts.push(planned)
  }
  if (!parts.length) parts.push(invalidField(b, r.pick(fields)))
  return b.operation('mutation', parts.join(' '))
}

/** Random arguments and one defect that validation always catches. */
function invalidField(b: DocumentBuilder, field: Field): string {
  // A field without a required argument (deleteMany: where is optional) cannot miss one.
  const required = field.args.some((a) => isNonNullType(a.type))
  const defect = b.r.pick(required ? (['unknown argument', 'missing required', 'unknown field'] as const) : (['unknown argument', 'unknown field'] as const))
  if (defect === 'unknown field') return `${field.name}(fuzzBogusArgument: 1) { fuzzNoSuchField }`
  return b.field(field, 1, 0.5, {
    alias: false,
    tamperArgs: (args) => (defect === 'unknown argument' ? [...args, `fuzzBogusArgument: ${b.r.pick(['1', '"x"', 'null', '{a: 1}'])}`] : args.filter((a) => !isNonNullType(field.args.find((d) => a.startsWith(`${d.name}:`))!.type))),
  })
}

/** A field with arguments chosen to fail at run time (see the top), or undefined when the model has no such plan. */
function plannedField(b: DocumentBuilder, field: Field, samples: Samples): string | undefined {
  const match = /^(createMany|create|updateMany|update|deleteMany|delete|upsert)(.+)$/.exec(field.name)
  if (!match) return undefined
  const [, kind, typeName] = match as unknown as [string, string, string]
  const sample = samples.models.get(typeName)
  const arg = (name: string) => field.args.find((a) => a.name === name)
  const inputOf = (name: string) => getNamedType(arg(name)!.type) as GraphQLInputObjectType
  const args = new Map<string, Val>()
  if (!sample) {
    // A table without a key: inserts only. A NUL byte in every text column makes PostgreSQL refuse it.
    if (kind !== 'create' && kind !== 'createMany') return undefined
    const items = Array.from({ length: kind === 'create' ? 1 : b.r.range(1, 3) }, () => poison(b, inputOf('data')))
    if (items.some((item) => !item)) return undefined
    args.set('data', kind === 'create' ? items[0]! : list(items as Val[]))
    return b.field(field, 1, 0, { args, alias: false })
  }
  const ghostWhere = () => keyObject(sample.ghost, Object.keys(sample.ghost))
  // The first key field alone already matches no row.
  const ghostFilter = () => obj([[sample.model.key[0]!, obj([['equals', valueOf(sample.ghost[sample.model.key[0]!])]])]])
  switch (kind) {
    case 'create': {
      const data = duplicate(b, sample, inputOf('data'))
      if (!data) return undefined
      args.set('data', data)
      if (b.r.chance(0.3)) args.set('idempotencyKey', str(hostileString(b.r)))
      break
    }
    case 'createMany': {
      const items = Array.from({ length: b.r.range(1, 3) }, () => duplicate(b, sample, inputOf('data')))
      if (items.some((item) => !item)) return undefined
      args.set('data', list(items as Val[]))
      break
    }
    case 'update':
    case 'delete':
      args.set('where', ghostWhere())
      break
    case 'updateMany':
    case 'deleteMany':
      args.set('where', obj([['AND', list([ghostFilter(), b.input(inputOf('where'), 1)])]]))
      // Never a random all: true, which means every row (and a null where is then refused).
      if (arg('all')) args.set('all', bool(false))
      break
    case 'upsert': {
      // No row has the key: upsert creates, with a key that exists.
      const create = duplicate(b, sample, inputOf('create'))
      if (!create) return undefined
      args.set('where', ghostWhere())
      args.set('create', create)
      break
    }
  }
  return b.field(field, 1, 0.5, { args, alias: false })
}

function keyObject(key: Key, fields: string[]): Val {
  return obj(fields.map((k) => [k, valueOf(key[k])]))
}

/**
 * Random create data whose key is an existing row's: the insert is a duplicate. Relations that
 * would set a key column are left out, so nothing can replace the duplicate key.
 */
function duplicate(b: DocumentBuilder, sample: ModelSample, input: GraphQLInputObjectType): Val | undefined {
  const fields = input.getFields()
  const { model } = sample
  if (!model.key.every((k) => k in fields)) return undefined
  const keyRelations = relationsSetting(model, model.key)
  const random = b.input(input, 1)
  if (random.kind !== 'object') return random // a wrong value: refused by validation
  const key = b.r.pick(sample.keys)
  const kept = random.fields.filter(([name]) => !model.key.includes(name) && !keyRelations.has(name))
  return obj([...kept, ...model.key.map((k): [string, Val] => [k, valueOf(key[k])])])
}

/** The relation fields whose foreign key includes any of these fields. */
function relationsSetting(model: ModelInfo, fields: string[]): Set<string> {
  const names = new Set<string>()
  for (const [relation, join] of model.joins) if (join.from.some((f) => fields.includes(f))) names.add(relation)
  return names
}

/** Random data with a NUL byte in every String field (PostgreSQL's text cannot hold one). */
function poison(b: DocumentBuilder, input: GraphQLInputObjectType): Val | undefined {
  const strings = Object.values(input.getFields()).filter((f) => getNamedType(f.type).name === 'String')
  if (!strings.length) return undefined
  const random = b.input(input, 1)
  if (random.kind !== 'object') return random // a wrong value: refused by validation
  const kept = random.fields.filter(([name]) => !strings.some((s) => s.name === name))
  return obj([...kept, ...strings.map((s): [string, Val] => [s.name, str(`${hostileString(b.r)}\u0000`)])])
}
