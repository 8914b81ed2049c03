/**
 * A structural diff of two canonical answers: the paths where they differ, each with both values,
 * so a failed data check says what is wrong ("nested[3].posts[0].tags: length 2 vs 3") rather
 * than printing two large documents.
 */

export interface Difference {
  path: string
  expected: string
  actual: string
}

const show = (value: unknown) => {
  const text = JSON.stringify(value)
  return text === undefined ? 'undefined' : text.length > 160 ? `${text.slice(0, 157)}...` : text
}

/** At most `limit` differences between `expected` and `actual` (floats compared exactly). */
export function diff(expected: unknown, actual: unknown, limit = 20, path = ''): Difference[] {
  const out: Difference[] = []
  walk(expected, actual, path, out, limit)
  return out
}

function walk(expected: unknown, actual: unknown, path: string, out: Difference[], limit: number): void {
  if (out.length >= limit) return
  if (Object.is(expected, actual)) return
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      out.push({ path: `${path}.length`, expected: String(expected.length), actual: String(actual.length) })
    }
    const n = Math.min(expected.length, actual.length)
    for (let i = 0; i < n && out.length < limit; i++) walk(expected[i], actual[i], `${path}[${i}]`, out, limit)
    return
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)])
    for (const key of keys) {
      if (out.length >= limit) return
      walk(expected[key], actual[key], path ? `${path}.${key}` : key, out, limit)
    }
    return
  }
  out.push({ path: path || '(root)', expected: show(expected), actual: show(actual) })
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
