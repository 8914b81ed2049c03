/**
 * GraphQL operations generated from the served schema itself: any root field, its arguments (as
 * literals or as variables), input objects to any depth, enums, lists, and nested selections with
 * aliases, fragments, inline fragments on interfaces and unions, and @skip/@include. Values come
 * from ./hostile.ts: mostly well-typed (so the operation validates and reaches the planner and
 * PostgreSQL) with hostile content, and at a per-case rate wrong-typed anywhere.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql'
import { cursor, nodeId, scalarValue, TIME_ZONES, VALID_TIME_ZONES, wrongValue } from './hostile.js'
import type { Random } from './random.js'
import type { Samples } from './samples.js'
import { json, literal, list, NULL, num, str, stringsOf, type Val } from './values.js'

export interface Mode {
  /** Chance that any input position gets a value of the wrong type. */
  wrongRate: number
  /** Chance that an argument is passed as a variable instead of a literal. */
  variableRate: number
  /** How deep selections nest. */
  maxDepth: number
  /** How many fields one operation selects at most. */
  maxFields: number
  /** Only values PostgreSQL accepts (hostile text still), real cursors and nodeIds: the case reaches the data. */
  strict?: boolean
}

export interface Operation {
  /** The whole document text (operation and fragments). */
  document: string
  operationName?: string
  /** Variables as JSON text (numbers exactly as generated). */
  variables?: string
  /** Strings the operation carries: echoes of them in a response are not leaks. */
  sent: Set<string>
  kind: 'query' | 'mutation'
}

export interface FieldOptions {
  /** Values for these arguments instead of generated ones (always passed). */
  args?: Map<string, Val>
  /** Changes the written arguments (e.g. drops a required one). */
  tamperArgs?: (args: string[]) => string[]
  alias?: false
}

export class DocumentBuilder {
  private readonly definitions: string[] = []
  private readonly values: [string, Val][] = []
  private readonly fragments: string[] = []
  readonly sent = new Set<string>()
  private fields = 0
  private names = 0

  constructor(
    readonly r: Random,
    readonly schema: GraphQLSchema,
    readonly samples: Samples,
    readonly mode: Mode,
  ) {}

  private fresh(prefix: string): string {
    this.names += 1
    return `${prefix}${this.names}`
  }

  /** The whole operation, with its variable definitions and fragments. */
  operation(kind: 'query' | 'mutation', body: string, name = this.fresh('Op')): Operation {
    const definitions = this.definitions.length ? `(${this.definitions.join(', ')})` : ''
    const document = [`${kind} ${name}${definitions} { ${body} }`, ...this.fragments].join('\n')
    const variables = this.values.length ? `{${this.values.map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`).join(',')}}` : undefined
    return { document, operationName: name, variables, sent: this.sent, kind }
  }

  // -- values ---------------------------------------------------------------------------------

  /** An argument's value as written in the document: a literal, or a variable bound to the value. */
  argument(arg: GraphQLArgument | { name: string; type: GraphQLInputType }, value?: Val): string {
    const v = value ?? this.input(arg.type, 0, arg.name)
    stringsOf(v, this.sent)
    if (!this.r.chance(this.mode.variableRate)) return literal(v)
    const name = this.fresh('v')
    // Now and then a variable declared with a type its position does not accept.
    const declared = this.r.chance(this.mode.wrongRate) ? this.r.pick(['String', 'Int!', '[ID]', 'Boolean', 'PersonFilter']) : String(arg.type)
    this.definitions.push(`$${name}: ${declared}`)
    this.values.push([name, v])
    return `$${name}`
  }

  /** A value for an input type; `hint` is the argument or field it is for. */
  input(type: GraphQLInputType, depth: number, hint = ''): Val {
    if (this.r.chance(this.mode.wrongRate)) return wrongValue(this.r)
    if (isNonNullType(type)) return this.inner(type.ofType, depth, hint)
    if (this.r.chance(this.mode.strict ? 0.01 : 0.04)) return NULL
    return this.inner(type, depth, hint)
  }

  private inner(type: GraphQLInputType, depth: number, hint: string): Val {
    if (isNonNullType(type)) return this.inner(type.ofType, depth, hint)
    if (isListType(type)) {
      if (hint === 'representations') return this.representations()
      const itemType = type.ofType as GraphQLInputType
      if (this.r.chance(0.02) && !isInputObjectType(getNamedType(itemType))) {
        // A huge list: the same two short values, over and over (the body stays under its limit).
        const some = [0, 1].map(() => this.input(itemType, depth + 1, hint)).map((v) => (v.kind === 'string' && v.value.length > 100 ? str(v.value.slice(0, 100)) : v))
        return list(Array.from({ length: this.r.pick([1000, 5000, 20_000]) }, (_, i) => some[i % 2]!))
      }
      // GraphQL also accepts a single value where a list is expected.
      if (this.r.chance(0.05)) return this.input(itemType, depth + 1, hint)
      // A group-by names at least one column in a strict case.
      const least = this.mode.strict && hint === 'by' ? 1 : 0
      return list(Array.from({ length: this.r.range(least, 3) }, () => this.input(itemType, depth + 1, hint)))
    }
    const named = type as GraphQLNamedType
    if (isEnumType(named)) {
      const values = named.getValues()
      if (this.mode.strict || this.r.chance(0.95)) return { kind: 'enum', name: this.r.pick(values).name }
      return this.r.pick<Val>([{ kind: 'enum', name: 'NOPE' }, { kind: 'enum', name: this.r.pick(values).name.toLowerCase() }, str(this.r.pick(values).name)])
    }
    if (isInputObjectType(named)) {
      const fields = Object.values(named.getFields())
      const p = depth < 2 ? 0.35 : depth < 4 ? 0.15 : 0
      const chosen: [string, Val][] = []
      for (const field of this.r.sample(fields, fields.length)) {
        if (isNonNullType(field.type) || this.r.chance(p)) chosen.push([field.name, this.input(field.type, depth + 1, field.name)])
      }
      if (this.r.chance(this.mode.wrongRate)) chosen.push([this.r.pick(['bogus', '__proto__', 'constructor', 'AND_']), num(1)])
      // A time bucket takes a unit or an interval: exactly one.
      const unit = fields.find((f) => f.name === 'unit')
      if (this.mode.strict && unit && fields.some((f) => f.name === 'every')) {
        const others = chosen.filter(([n]) => n !== 'unit' && n !== 'every')
        return { kind: 'object', fields: [...others, ['unit', this.input(unit.type, depth + 1, 'unit')]] }
      }
      return { kind: 'object', fields: chosen }
    }
    if (isScalarType(named)) return this.scalar(named.name, hint)
    return NULL
  }

  private scalar(name: string, hint: string): Val {
    const r = this.r
    const strict = this.mode.strict === true
    if (hint === 'after' || hint === 'before') return str(strict ? r.pick(this.samples.cursors) : cursor(r, this.samples))
    if (hint === 'nodeId') return str(strict ? r.pick(this.samples.nodeIds) : nodeId(r, this.samples))
    if (hint === 'timeZone') return str(r.pick(strict ? VALID_TIME_ZONES : TIME_ZONES))
    if ((hint === 'first' || hint === 'last' || hint === 'offset') && name === 'Int') {
      return num(r.weighted([[6, String(r.range(0, 5))], [1, r.pick(['20', '100', '101', '1000', '2147483647'])], [strict ? 0 : 1, r.pick(['-1', '-2147483648'])]]))
    }
    return scalarValue(r, name, this.samples, strict)
  }

  /** `_entities(representations:)`: rows that exist, and things that are no representation at all. */
  private representations(): Val {
    const r = this.r
    const one = (): Val =>
      r.weighted<() => Val>([
        [4, () => ({ kind: 'json', value: r.pick(this.samples.representations) })],
        [1, () => ({ kind: 'json', value: { ...r.pick(this.samples.representations), id: r.pick(['abc', '1.5', '99999999999999999999', '\u0000', null]) } })],
        [1, () => ({ kind: 'json', value: r.pick([{ __typename: 'Nope' }, { __typename: 'Person' }, { __typename: 'Person', bogus: 1 }, { __typename: 'Person', id: { a: 1 } }, { __typename: 'Query' }, { __typename: '__proto__' }, { __typename: 'KeylessLog' }, { __typename: 'PersonSummary', id: 1 }, { __typename: 5 }, { __typename: 'Person', email: "' OR 1=1 --" }, { __typename: 'PostTag', postId: '1', tagId: 99999 }]) })],
        [1, () => ({ kind: 'json', value: r.pick([1, 'x', [], true, {}]) })],
      ])()
    return list(Array.from({ length: r.range(1, 4) }, one))
  }

  // -- selections -----------------------------------------------------------------------------

  /** `{ ... }` of a field of `type`: fields, aliases, fragments, directives. */
  selection(type: GraphQLNamedType, depth: number): string {
    const r = this.r
    if (isUnionType(type) || isInterfaceType(type)) {
      const members = isUnionType(type) ? type.getTypes() : this.schema.getPossibleTypes(type)
      const parts = ['__typename']
      if (isInterfaceType(type) && r.chance(0.7)) parts.push(...this.fieldsOf(type as unknown as GraphQLObjectType, depth, 2))
      for (const member of r.sample(members, r.range(1, 2))) parts.push(`... on ${member.name} { ${this.selection(member, depth + 1)} }`)
      return parts.join(' ')
    }
    if (!isObjectType(type)) return '__typename'
    const parts = this.fieldsOf(type, depth, r.range(1, 4))
    if (r.chance(0.1)) parts.push('__typename')
    if (r.chance(0.06)) {
      const name = this.fresh('F')
      this.fragments.push(`fragment ${name} on ${type.name} { ${this.fieldsOf(type, depth, r.range(1, 2)).join(' ')} }`)
      parts.push(`...${name}`)
    }
    if (r.chance(0.04)) parts.push(`... on ${type.name} { ${this.fieldsOf(type, depth, 1).join(' ')} }`)
    return parts.join(' ')
  }

  private fieldsOf(type: GraphQLObjectType, depth: number, count: number): string[] {
    const fields = Object.values(type.getFields())
    const chosen = this.r.sample(fields, Math.max(1, count))
    return chosen.map((field) => this.field(field, depth))
  }

  /** One selected field: alias, arguments, directives, sub-selection. */
  // (strict cases choose arguments with consistentArguments, below)
  field(field: GraphQLField<unknown, unknown>, depth: number, argChance = 0.3, options: FieldOptions = {}): string {
    const r = this.r
    this.fields += 1
    const alias = options.alias === false || !r.chance(0.15) ? '' : `${this.fresh('a')}: `
    let chosen = field.args.filter((a) => options.args?.has(a.name) || isNonNullType(a.type) || r.chance(argChance))
    if (this.mode.strict) chosen = consistentArguments(field, chosen)
    let args = chosen.map((a) => `${a.name}: ${this.argument(a, options.args?.get(a.name))}`)
    if (options.tamperArgs) args = options.tamperArgs(args)
    const directive = r.chance(0.04) ? ` @${r.pick(['include', 'skip'])}(if: ${r.chance(0.5)})` : ''
    const named = getNamedType(field.type)
    const composite = isObjectType(named) || isInterfaceType(named) || isUnionType(named)
    let sub = ''
    if (composite) {
      const deeper = depth + 1 < this.mode.maxDepth && this.fields < this.mode.maxFields
      sub = ` { ${deeper ? this.selection(named, depth + 1) : '__typename'} }`
    }
    return `${alias}${field.name}${args.length ? `(${args.join(', ')})` : ''}${directive}${sub}`
  }
}

/** A read: one to three root fields of Query, anything the schema offers. */
export function queryOperation(r: Random, schema: GraphQLSchema, samples: Samples, mode: Mode): Operation {
  const b = new DocumentBuilder(r, schema, samples, mode)
  const roots = Object.values(schema.getQueryType()!.getFields())
  const parts: string[] = []
  for (const root of r.sample(roots, r.weighted([[6, 1], [3, 2], [1, 3]]))) parts.push(b.field(root, 0, 0.5))
  // Introspection and the federation SDL now and then: they go through GraphQL execution.
  if (r.chance(0.03)) parts.push(r.pick(['__type(name: "Person") { name fields { name type { name kind } } }', '__schema { queryType { name } }', '_service { sdl }', '__typename']))
  return b.operation('query', parts.join(' '))
}

/**
 * Arguments that make sense together, for strict cases: sample cursors belong to other fields'
 * orders, so none is passed (and then an offset is free to go); a group-by always names what to
 * group by.
 */
function consistentArguments(field: GraphQLField<unknown, unknown>, chosen: GraphQLArgument[]): GraphQLArgument[] {
  const args = chosen.filter((a) => a.name !== 'after' && a.name !== 'before')
  const by = field.args.find((a) => a.name === 'by')
  if (by && !args.includes(by)) args.push(by)
  return args
}
