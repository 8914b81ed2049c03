/**
 * Operations hostile by their shape rather than their values: selections nested past the depth
 * limit or past what a recursive parser survives, input values and variables nested thousands of
 * levels deep, alias bombs, fragment cycles and long fragment chains, directive spam, many
 * operations in one document, huge literals, and batches of lookups and nodeIds with bad keys.
 * Each must be refused (or answered) with a client error, never a 500.
 */
import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql'
import { rootSourceOf } from '../../../src/planner/field-source.js'
import type { Operation } from './documents.js'
import { cursor, hostileString, nodeId, SQL_STRINGS } from './hostile.js'
import type { Random } from './random.js'
import type { Samples } from './samples.js'

const op = (document: string, extra: Partial<Operation> = {}): Operation => ({ document, sent: new Set(), kind: 'query', ...extra })

export function structuralOperation(r: Random, schema: GraphQLSchema, samples: Samples): Operation {
  const query = schema.getQueryType()!
  const lists = Object.values(query.getFields()).filter((f) => rootSourceOf(f)?.kind === 'rootList')
  const list = r.pick(lists)
  const filter = getNamedType(list.args.find((a) => a.name === 'where')!.type).name
  const n = (choices: number[]) => r.pick(choices)
  return r.pick<() => Operation>([
    // Selections deeper than maxDepth, following real relations.
    () => op(`{ ${deepSelection(r, schema, list.name, n([16, 30, 60]))} }`),
    // Braces nested past what a recursive-descent parser can take.
    () => {
      const depth = n([500, 3000, 6000])
      return op(`{ ${list.name} { nodes ${'{ a '.repeat(depth)}${'} '.repeat(depth)} } }`)
    },
    () => op(`{ ${'{'.repeat(n([100, 5000]))}${'}'.repeat(n([0, 100, 5000]))} }`),
    // Input values nested deep in the document.
    () => op(`{ ${list.name}(where: ${nested('{NOT: ', '}', n([20, 200, 1000, 3000, 4500]), '{}')}) { totalCount } }`),
    () => op(`{ ${list.name}(where: ${nested('{OR: [{AND: [', ']}]}', n([10, 100, 1500]), '{}')}) { totalCount } }`),
    () => op(`{ ${list.name}(orderBy: ${nested('[', ']', n([50, 3000, 6000]), '')}) { totalCount } }`),
    // ... and in variables.
    () => {
      const depth = n([20, 200, 1000, 5000, 20_000])
      return op(`query Deep($w: ${filter}) { ${list.name}(where: $w) { totalCount } }`, { variables: `{"w":${nested('{"NOT":', '}', depth, '{}')}}`, operationName: 'Deep' })
    },
    () => op(`query Deep($w: ${filter}) { ${list.name}(where: $w) { totalCount } }`, { variables: `{"w":${nested('[', ']', n([100, 5000]), '')}}` }),
    // Alias bombs: within and past maxAliases, on lookups (one batched statement) and nodes.
    () => op(`{ ${Array.from({ length: n([150, 199, 201, 1000, 4000]) }, (_, i) => `a${i}: __typename`).join(' ')} }`),
    () => {
      const lookups = Object.values(query.getFields()).filter((f) => rootSourceOf(f)?.kind === 'lookup' && f.args.length === 1)
      const lookup = r.pick(lookups)
      const arg = lookup.args[0]!
      const type = getNamedType(arg.type).name
      const sent = new Set<string>()
      const value = () => {
        if (type === 'Int') return r.pick(['1', '2', '-1', '0', '32767', '32768', '40000', '2147483647'])
        const text = r.chance(0.5) ? hostileString(r) : r.pick(['1', 'SKU-001', '9223372036854775808', '-1'])
        sent.add(text)
        return JSON.stringify(text)
      }
      return op(`{ ${Array.from({ length: n([2, 50, 100, 199]) }, (_, i) => `l${i}: ${lookup.name}(${arg.name}: ${value()}) { __typename }`).join(' ')} }`, { sent })
    },
    () => {
      const ids = Array.from({ length: n([2, 20, 60]) }, () => nodeId(r, samples))
      return op(`{ ${ids.map((id, i) => `n${i}: node(nodeId: ${JSON.stringify(id)}) { nodeId __typename }`).join(' ')} }`, { sent: new Set(ids) })
    },
    () => {
      const cursors = Array.from({ length: n([2, 20]) }, () => cursor(r, samples))
      return op(`{ ${cursors.map((c, i) => `c${i}: ${list.name}(first: 2, after: ${JSON.stringify(c)}) { edges { cursor } pageInfo { hasNextPage endCursor } }`).join(' ')} }`, { sent: new Set(cursors) })
    },
    // Fragment cycles, self-spreads, unknown and ill-typed fragments, and a long chain.
    () => op('query A { ...F } fragment F on Query { ...G } fragment G on Query { ...F }'),
    () => op('{ ...Self } fragment Self on Query { __typename ...Self }'),
    () => op(`{ ${list.name} { nodes { ...X } } } fragment X on Query { __typename }`),
    () => op('{ ...Missing }'),
    () => {
      // A chain F0 -> F1 -> ... -> Fn, ending, or looping back to F0.
      const length = n([10, 500, 2000])
      const last = `fragment F${length} on Query { ${r.chance(0.5) ? '__typename' : '...F0'} }`
      return op(`{ ...F0 } ${Array.from({ length }, (_, i) => `fragment F${i} on Query { __typename ...F${i + 1} }`).join(' ')} ${last}`)
    },
    // Directives: spam, unknown, with an undefined variable.
    () => op(`{ __typename ${'@include(if: true) '.repeat(n([5, 51, 500]))}}`),
    () => op('{ __typename @fuzz @skip(if: $nope) @include }'),
    // Several operations; a wrong or missing operation name.
    () => op('query A { __typename } query B { __typename }'),
    () => op('query A { __typename } query A { __typename }', { operationName: 'A' }),
    () => {
      const name = r.pick(['B', '', "'; DROP TABLE app.tag; --", '\u0000'])
      return op('query A { __typename }', { operationName: name, sent: new Set([name]) })
    },
    () => op('mutation M { __typename } subscription S { __typename }', { operationName: r.pick(['M', 'S']) }),
    // Overlapping fields that cannot merge, and many that can (the rule is quadratic).
    () => op(`{ x: ${list.name} { totalCount } x: __typename }`),
    () => op(`{ ${`${list.name}(first: 1) { totalCount } `.repeat(n([100, 1000, 3000]))}}`),
    // Not documents at all.
    () => {
      const text = r.pick(['', ' ', '#', '{}', 'query', '{ }', '}{', '\ufeff{ __typename }', '{ __typename }\u0000', `{ ${'a'.repeat(100_000)} }`, '"""', '{ __typename(a: """unterminated }', SQL_STRINGS[0]!, 'SELECT * FROM app.person'])
      return op(text, { sent: new Set([text]) })
    },
    // A huge string literal.
    () => op(`{ ${list.name}(where: { ${firstStringField(schema, filter)}: { equals: ${JSON.stringify('x'.repeat(n([10_000, 400_000])))} } }) { totalCount } }`),
  ])()
}

function nested(open: string, close: string, depth: number, inner: string): string {
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`
}

/** `list { nodes { relation { ... } } }` following relations for `depth` levels. */
function deepSelection(r: Random, schema: GraphQLSchema, root: string, depth: number): string {
  const type = getNamedType(schema.getQueryType()!.getFields()[root]!.type) as GraphQLObjectType
  let open = root
  let close = ''
  let current: GraphQLObjectType = type
  for (let level = 0; level < depth; level += 1) {
    const objects = Object.values(current.getFields()).filter((f) => isObjectType(getNamedType(f.type)))
    if (!objects.length) break
    const next = r.pick(objects)
    open += ` { ${next.name}`
    close += ' }'
    current = getNamedType(next.type) as GraphQLObjectType
  }
  return `${open} { __typename }${close}`
}

function firstStringField(schema: GraphQLSchema, filter: string): string {
  const type = schema.getType(filter) as unknown as { getFields(): Record<string, { type: unknown }> }
  const field = Object.entries(type.getFields()).find(([, f]) => String(f.type) === 'StringFilter')
  return field?.[0] ?? 'AND'
}
