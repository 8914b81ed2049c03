/**
 * useRequestGuards: what a request must be before GraphQL looks at it, so that malformed input is
 * the client's error (400), not an unexpected one (500):
 *
 * - `variables` and `extensions` of a GET query string or a form body must be JSON: Yoga parses
 *   them with an unguarded JSON.parse, and its SyntaxError reaches the client as a masked 500.
 * - Nesting is bounded: graphql-js parses a document, and coerces variables, recursively, so a
 *   few thousand levels of brackets (well within maxTokens and maxBodyBytes) overflow the stack.
 *   A document (its brackets outside strings and comments) and the variables may nest at most
 *   MAX_NESTING levels; a selection may not nest past maxDepth anyway.
 * - So are fragments: the depth limit (graphql-armor), graphql-js and the planner follow fragment
 *   spreads recursively, and a chain of 2,000 fragments each spreading the next overflows the stack.
 */
import { GraphQLError } from 'graphql'
import type { Plugin } from 'graphql-yoga'

/** Far more than any real operation or filter needs; far less than a stack overflow. */
export const MAX_NESTING = 100
/** Fragment definitions in one document: generous for generated clients, a quarter of what overflows. */
export const MAX_FRAGMENTS = 500

const badRequest = (message: string, code: string) => new GraphQLError(message, { extensions: { code, http: { status: 400 } } })

export function useRequestGuards(maxNesting = MAX_NESTING): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return
      setRequestParser(async (request) => {
        try {
          return await requestParser(request)
        } catch (error) {
          if (error instanceof SyntaxError) throw badRequest(`The request's variables or extensions are not JSON: ${error.message}`, 'BAD_REQUEST')
          throw error
        }
      })
    },
    onParams({ params, setResult }) {
      const document = scanned(params.query ?? '')
      const depth = Math.max(document.nesting, valueNesting(params.variables))
      if (depth > maxNesting) {
        setResult({ errors: [badRequest(`The request nests ${depth} levels deep, more than the ${maxNesting} allowed: flatten the filter or the variables.`, 'NESTING_LIMIT_EXCEEDED')] })
      } else if (document.fragments > MAX_FRAGMENTS) {
        setResult({ errors: [badRequest(`The document defines ${document.fragments} fragments, more than the ${MAX_FRAGMENTS} allowed.`, 'FRAGMENT_LIMIT_EXCEEDED')] })
      }
    },
  }
}

/** scanDocument's verdicts for the documents seen last: a document is scanned once, not on every request. */
const scans = new Map<string, { nesting: number; fragments: number }>()
const MAX_SCANS = 1_000

function scanned(source: string): { nesting: number; fragments: number } {
  let verdict = scans.get(source)
  if (verdict) return verdict
  verdict = scanDocument(source)
  if (scans.size >= MAX_SCANS) scans.delete(scans.keys().next().value!)
  scans.set(source, verdict)
  return verdict
}

/**
 * A document's deepest nesting of {, [ and (, and how many fragments it defines, outside strings,
 * block strings and comments (a linear scan: the document has not been parsed yet).
 */
export function scanDocument(source: string): { nesting: number; fragments: number } {
  let depth = 0
  let nesting = 0
  let fragments = 0
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i]!
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i += 1
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3)
        i = end < 0 ? source.length : end + 2
      } else {
        for (i += 1; i < source.length && source[i] !== '"' && source[i] !== '\n'; i += 1) if (source[i] === '\\') i += 1
      }
    } else if (c === '{' || c === '[' || c === '(') {
      depth += 1
      if (depth > nesting) nesting = depth
    } else if (c === '}' || c === ']' || c === ')') {
      depth = Math.max(0, depth - 1)
    } else if (/[_A-Za-z]/.test(c)) {
      const start = i
      while (i + 1 < source.length && /[_0-9A-Za-z]/.test(source[i + 1]!)) i += 1
      if (source.slice(start, i + 1) === 'fragment') fragments += 1
    }
  }
  return { nesting, fragments }
}

/** The deepest nesting of objects and arrays in a JSON value (iterative: the value may be deep). */
export function valueNesting(value: unknown): number {
  let max = 0
  const pending: [unknown, number][] = [[value, 0]]
  while (pending.length) {
    const [next, depth] = pending.pop()!
    if (next === null || typeof next !== 'object') continue
    if (depth + 1 > max) max = depth + 1
    for (const item of Array.isArray(next) ? next : Object.values(next)) if (item !== null && typeof item === 'object') pending.push([item, depth + 1])
  }
  return max
}
