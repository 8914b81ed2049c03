/**
 * Mutation inputs must be text Prisma can carry: its engine reads the arguments as JSON and fails
 * on a lone UTF-16 surrogate ("\ud800", which JSON allows as an escape but no text contains)
 * with an unknown-request error, a 500. Such a string is refused up front as the caller's error.
 */
import { ClientError } from '../errors.js'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Throws a BAD_USER_INPUT ClientError if any string in the value holds a lone surrogate. */
export function checkWellFormed(value: unknown): void {
  // Iterative: the inputs' depth is not ours to bound.
  const pending: unknown[] = [value]
  while (pending.length) {
    const next = pending.pop()
    if (typeof next === 'string') {
      if (LONE_SURROGATE.test(next)) throw new ClientError('A string holds a lone UTF-16 surrogate (such as \\ud800), which is not text: send well-formed Unicode.', 'BAD_USER_INPUT')
    } else if (Array.isArray(next)) pending.push(...next)
    else if (next !== null && typeof next === 'object' && !(next instanceof Uint8Array)) pending.push(...Object.values(next))
  }
}
