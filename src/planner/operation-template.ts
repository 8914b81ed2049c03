/**
 * A compiled operation whose variables are parameters: compiled once per document, filled per
 * request. Without it every new set of variable values (another id, another search text: what
 * real traffic sends) compiles the whole operation again.
 *
 * The compiler (./compile-operation.ts) works on values, not on variables: it writes each value
 * it meets as a parameter, after converting it (a key to the column's text, a page size to a
 * clamped LIMIT, a cursor decoded...). So which variables are plain parameters is learned, not
 * assumed. The operation is compiled twice with two sets of stand-in values (sentinels) for the
 * candidate variables, and a variable is a parameter only if, in both statements, its stand-in
 * appears unchanged as a whole parameter (or a whole element of an array parameter, as lookup
 * keys are batched) and nowhere else, while the statement's text and every other parameter are
 * the same. A variable the compiler transforms, clamps, decodes or branches on fails that test
 * and stays part of the cache key, as before.
 *
 * Candidates are the variables of the built-in scalar types (String, ID, Int, Float), whose
 * values the compiler can only pass through or convert with String(). A value that does not fit
 * its slot at run time (null, which can change `=` into `IS NULL`; a number sent for an ID) is
 * compiled as usual.
 */
import { Kind, type DocumentNode, type OperationDefinitionNode, type TypeNode } from 'graphql'
import { isDeepStrictEqual } from 'node:util'
import type { CompiledOperation } from './compile-operation.js'

export type ScalarName = 'String' | 'ID' | 'Int' | 'Float'

/** Where one variable's value goes: a parameter, or one element of an array parameter. */
interface Slot {
  variable: string
  param: number
  element?: number
  /** The parameter holds the value as text (String(value)) rather than as the value itself. */
  asText: boolean
}

export interface OperationTemplate {
  /** The statement, with the sentinels' parameters: copied and filled per request. */
  compiled: CompiledOperation
  slots: Slot[]
}

/** Arguments whose values are read as page sizes or cursors: never plain parameters. */
const PAGING_ARGUMENTS = new Set(['first', 'last', 'offset', 'after', 'before'])

/**
 * The variables of an operation that may be parameters: built-in scalars (not lists), not used
 * as paging arguments. Depends on the document only.
 */
export function candidateVariables(operation: OperationDefinitionNode, document: DocumentNode): Map<string, ScalarName> {
  const candidates = new Map<string, ScalarName>()
  for (const definition of operation.variableDefinitions ?? []) {
    const scalar = scalarOf(definition.type)
    if (scalar) candidates.set(definition.variable.name.value, scalar)
  }
  // A variable used as a paging argument anywhere (fragments included) is no candidate.
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return
    if (Array.isArray(node)) return node.forEach(visit)
    const n = node as { kind?: string; name?: { value: string }; value?: { kind?: string; name?: { value: string } } }
    if (n.kind === Kind.ARGUMENT && PAGING_ARGUMENTS.has(n.name!.value) && n.value?.kind === Kind.VARIABLE) candidates.delete(n.value.name!.value)
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') visit(child)
  }
  visit(document.definitions)
  return candidates
}

function scalarOf(type: TypeNode): ScalarName | undefined {
  if (type.kind === Kind.NON_NULL_TYPE) return scalarOf(type.type)
  if (type.kind !== Kind.NAMED_TYPE) return undefined
  const name = type.name.value
  return name === 'String' || name === 'ID' || name === 'Int' || name === 'Float' ? name : undefined
}

/**
 * Stand-ins no client value or compiler constant looks like: text with control characters, upper
 * case, a non-ASCII letter and a space (any normalisation changes it), numbers in the int32 range.
 */
function sentinel(type: ScalarName, set: 0 | 1, index: number): string | number {
  if (type === 'Int') return (set ? 1_876_543_210 : 1_987_654_321) + index
  if (type === 'Float') return (set ? 1_357_913.5 : 2_468_024.25) + index
  return `\u0002Portico ${set ? 'B' : 'A'}${index} Ü\u0003`
}

/** Does `value` fit a slot of this scalar type, so that filling it gives what compiling it would? */
export function fits(type: ScalarName, value: unknown): boolean {
  if (type === 'String' || type === 'ID') return typeof value === 'string'
  if (type === 'Int') return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1
  return typeof value === 'number' && Number.isFinite(value)
}

/**
 * Learns a template for `variables` (the values of the other variables are part of it) by
 * compiling with two sets of sentinels; null when the compiler does not pass every candidate
 * through untouched. `compile` compiles with the given variable values.
 */
export function learnTemplate(
  candidates: Map<string, ScalarName>,
  variables: Record<string, unknown>,
  compile: (variables: Record<string, unknown>) => CompiledOperation | null,
): OperationTemplate | null {
  if (!candidates.size) return null
  const stand = (set: 0 | 1) => {
    const values: Record<string, unknown> = { ...variables }
    let i = 0
    for (const [name, type] of candidates) values[name] = sentinel(type, set, i++)
    return values
  }
  const [a, b] = [stand(0), stand(1)]
  const first = compile(a)
  const second = compile(b)
  if (!first || !second || first.sql !== second.sql || first.execute !== second.execute || first.values.length !== second.values.length) return null
  const byText = new Map<string, string>()
  for (const name of candidates.keys()) byText.set(`${String(a[name])}\u0000${String(b[name])}`, name)
  const slots: Slot[] = []
  const slotOf = (x: unknown, y: unknown, param: number, element?: number): boolean => {
    const variable = byText.get(`${String(x)}\u0000${String(y)}`)
    if (variable === undefined || (typeof x !== 'string' && typeof x !== 'number')) return false
    slots.push({ variable, param, element, asText: typeof x === 'string' })
    return true
  }
  for (let i = 0; i < first.values.length; i += 1) {
    const [x, y] = [first.values[i], second.values[i]]
    if (isDeepStrictEqual(x, y)) continue
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      for (let j = 0; j < x.length; j += 1) if (!isDeepStrictEqual(x[j], y[j]) && !slotOf(x[j], y[j], i, j)) return null
      continue
    }
    if (!slotOf(x, y, i)) return null
  }
  // Every candidate must have gone somewhere: one the compiler dropped or folded into a
  // constant (a clamped number) may still decide what the statement says.
  const placed = new Set(slots.map((s) => s.variable))
  for (const name of candidates.keys()) if (!placed.has(name)) return null
  // And nowhere else: a sentinel inside the text or inside a longer parameter was transformed.
  const slotted = new Set(slots.map((s) => s.param))
  const constants = JSON.stringify(first.values.map((v, i) => (slotted.has(i) ? null : v)))
  for (const name of candidates.keys()) if (first.sql.includes(String(a[name])) || constants.includes(JSON.stringify(String(a[name])).slice(1, -1))) return null
  return { compiled: first, slots }
}

/** The template's statement with these values in its slots (they must fit: see `fits`). */
export function fillTemplate(template: OperationTemplate, variables: Record<string, unknown>): CompiledOperation {
  const values = template.compiled.values.slice()
  for (const slot of template.slots) {
    const value = variables[slot.variable]
    const filled = slot.asText ? String(value) : value
    if (slot.element === undefined) values[slot.param] = filled
    else {
      const array = values[slot.param] === template.compiled.values[slot.param] ? (values[slot.param] = (values[slot.param] as unknown[]).slice()) : values[slot.param]
      ;(array as unknown[])[slot.element] = filled
    }
  }
  return { ...template.compiled, values }
}
