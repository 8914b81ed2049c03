/**
 * Relay connections: which window of rows the arguments ask for, and the page made from the rows
 * read (one more than asked, to know whether there is another page). Argument rules and messages
 * are Pothos's (`@pothos/core`, `@pothos/plugin-relay`), so pages behave as Pothos's connections.
 */
import { decodeBase64, encodeBase64, getConnectionPageSize, PothosValidationError, validateConnectionArguments } from '@pothos/core'
import { offsetForArgs, offsetToCursor } from '@pothos/plugin-relay'
import type { PorticoConfig } from '../config/config.js'
import type { ModelInfo } from '../model/datamodel.js'

export interface ConnectionArgs {
  first?: number | null
  last?: number | null
  after?: string | null
  before?: string | null
  offset?: number | null
}

export interface PageWindow {
  /** Rows to read: the page size plus one. */
  limit: number
  offset: number
  /** Read in reverse order (last/before), then turned around. */
  backward: boolean
  /** The keyset cursor to read after (in the read order). */
  cursor?: string
}

type PageSizes = Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>

export function pageWindow(args: ConnectionArgs, sizes: PageSizes, byOffset: boolean): PageWindow {
  if (byOffset) {
    const { offset, limit } = offsetForArgs({ args, defaultSize: sizes.defaultPageSize, maxSize: sizes.maxPageSize })
    return { limit, offset, backward: false }
  }
  const { before, after, first, last } = args
  validateConnectionArguments(args)
  if (before && after) throw new PothosValidationError('Arguments "before" and "after" are not supported at the same time')
  if (before != null && first != null) throw new PothosValidationError('Arguments "before" and "first" are not supported at the same time')
  if (after != null && last != null) throw new PothosValidationError('Arguments "after" and "last" are not supported at the same time')
  if (args.offset != null) {
    if (after || before) throw new PothosValidationError('Use either offset or after/before, not both.')
    if (args.offset < 0) throw new PothosValidationError('offset must not be negative.')
  }
  const { limit } = getConnectionPageSize({ args, defaultSize: sizes.defaultPageSize, maxSize: sizes.maxPageSize })
  return { limit, offset: args.offset ?? 0, backward: before != null || last != null, cursor: before ?? after ?? undefined }
}

/** A keyset cursor is the row's key, as the text PostgreSQL prints for each key column. */
export function encodeKeyCursor(key: unknown[]): string {
  return encodeBase64(`K:${JSON.stringify(key)}`)
}

export function decodeKeyCursor(cursor: string, model: ModelInfo): unknown[] {
  try {
    const text = decodeBase64(cursor)
    const key = JSON.parse(text.slice(2)) as unknown
    if (text.startsWith('K:') && Array.isArray(key) && key.length === model.key.length) return key
  } catch {
    // reported below
  }
  throw new PothosValidationError(`Invalid cursor: ${cursor}`)
}

/** A row of a connection as ./compile-read.ts builds it: its key and its node objects. */
export type ConnectionRow = Record<string, unknown> & { c?: unknown[] }

export interface PageInfo {
  hasNextPage: boolean
  hasPreviousPage: boolean
  startCursor: string | null
  endCursor: string | null
}

export interface ConnectionPage {
  rows: ConnectionRow[]
  cursors: string[]
  pageInfo: PageInfo
  totalCount?: number
}

/** The page from the rows read for `args` (the same arguments the SQL was compiled from). */
export function connectionPage(data: { r: ConnectionRow[]; t?: number }, args: ConnectionArgs, sizes: PageSizes, byOffset: boolean): ConnectionPage {
  if (byOffset) {
    const { offset, expectedSize, hasPreviousPage, hasNextPage } = offsetForArgs({ args, defaultSize: sizes.defaultPageSize, maxSize: sizes.maxPageSize })
    const rows = data.r.slice(0, expectedSize)
    const cursors = rows.map((_, i) => offsetToCursor(offset + i))
    return {
      rows,
      cursors,
      totalCount: data.t,
      pageInfo: { startCursor: offsetToCursor(offset), endCursor: offsetToCursor(offset + rows.length - 1), hasPreviousPage, hasNextPage: hasNextPage(data.r.length) },
    }
  }
  const window = pageWindow(args, sizes, false)
  const full = data.r.length === window.limit
  let rows = full ? data.r.slice(0, -1) : data.r
  if (window.backward) rows = rows.reverse()
  const cursors = rows.map((row) => encodeKeyCursor(row.c!))
  return {
    rows,
    cursors,
    totalCount: data.t,
    pageInfo: {
      hasNextPage: args.before != null ? true : args.last != null ? false : full,
      hasPreviousPage: args.after != null ? true : window.backward ? full : false,
      startCursor: cursors[0] ?? null,
      endCursor: cursors[cursors.length - 1] ?? null,
    },
  }
}
