/**
 * Guards of updateMany/deleteMany, so that one call cannot empty or rewrite a table by accident
 * (`deleteManyIotawatt(where: {})` used to delete every reading, as it does in Prisma and Hasura):
 *
 * - A bulk write whose `where` is absent or selects nothing in particular (`{}`, `{ AND: [{}] }`,
 *   `{ title: {} }`) is refused (UNFILTERED_BULK_WRITE) unless the call says `all: true`, or the
 *   configuration `allowUnfilteredBulkWrites` is set. `all: true` with a filter is refused too: the
 *   call would say two things, and the reader could not tell which one was meant.
 * - `limits.maxBulkRows` caps the rows one bulk write touches. The write runs, and when PostgreSQL's
 *   count of the rows it changed is over the cap, its transaction is rolled back
 *   (BULK_LIMIT_EXCEEDED, with the count): the count is exact (no race with a count taken before),
 *   and it is the caller's count: with auth the write runs as the caller's role, so rows that
 *   row-level security hides are neither touched nor counted.
 */
import type { PorticoConfig } from '../config/config.js'
import { ClientError } from '../errors.js'

type Input = Record<string, unknown>

export type BulkConfig = Pick<PorticoConfig, 'allowUnfilteredBulkWrites'> & { limits: Pick<PorticoConfig['limits'], 'maxBulkRows'> }

/** Operators that modify a field filter rather than select rows on their own. */
const MODIFIERS = new Set(['mode', 'path'])

/**
 * True when the filter selects no rows in particular: it holds no condition. Structural and
 * conservative: `NOT: {}` counts as no condition too, while `OR: []` (which matches nothing) is one.
 */
export function isUnfiltered(where: Input | null | undefined): boolean {
  if (!where) return true
  return Object.entries(where).every(([key, value]) => {
    if (value === undefined || value === null) return true
    if (key === 'AND') return (value as Input[]).every((item) => isUnfiltered(item))
    if (key === 'OR') return (value as Input[]).some((item) => isUnfiltered(item))
    if (key === 'NOT') return isUnfiltered(value as Input)
    // A field's filter (`{ equals: 1 }`) or a relation's (`{ some: {...} }`, `{ is: {...} }`): any
    // operator given a value is a condition (`some: {}` still asks for a related row).
    return Object.entries(value as Input).every(([op, operand]) => operand === undefined || operand === null || MODIFIERS.has(op))
  })
}

/** Refuses an unfiltered bulk write that was not asked for explicitly; returns the `where` to use. */
export function checkBulkFilter(field: string, type: string, verb: 'update' | 'delete', args: Input, config: BulkConfig): Input | undefined {
  const where = (args.where ?? undefined) as Input | undefined
  const all = args.all === true
  const unfiltered = isUnfiltered(where)
  if (all && !unfiltered) {
    throw new ClientError(`${field}: give either a where that selects rows or all: true, not both`, 'BAD_USER_INPUT', { field })
  }
  if (unfiltered && !all && !config.allowUnfilteredBulkWrites) {
    throw new ClientError(
      `${field} has no filter and would ${verb} every ${type} row: give a where that selects rows, or all: true to ${verb} them all`,
      'UNFILTERED_BULK_WRITE',
      { type },
    )
  }
  return where
}

/** Thrown inside the write's transaction when it touched more rows than allowed: rolls it back. */
export function checkBulkCount(field: string, type: string, verb: 'update' | 'delete', count: number, config: BulkConfig): void {
  const max = config.limits.maxBulkRows
  if (max === undefined || count <= max) return
  throw new ClientError(
    `${field} would ${verb} ${count} ${type} rows, more than limits.maxBulkRows (${max}): nothing was written; narrow the where, or raise the limit`,
    'BULK_LIMIT_EXCEEDED',
    { type, count, maxBulkRows: max },
  )
}
