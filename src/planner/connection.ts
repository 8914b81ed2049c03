/**
 * Relay connections: which window of rows the arguments ask for (one row more than the page, to
 * know whether there is another). Argument rules and messages are Pothos's (`@pothos/core`,
 * `@pothos/plugin-relay`), so pages behave as Pothos's connections, except that a page larger
 * than maxPageSize is refused, not quietly cut to it: a client asking for 1,000 rows and getting
 * 100 would take them for all there are.
 */
import { decodeBase64, getConnectionPageSize, validateConnectionArguments } from '@pothos/core'
import { offsetForArgs } from '@pothos/plugin-relay'
import type { PorticoConfig } from '../config/config.js'
import type { ModelInfo } from '../model/datamodel.js'
import { badInput, pothosChecked } from './client-errors.js'

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
  checkPageSize(args, sizes.maxPageSize)
  if (byOffset) {
    // Pothos reads an offset cursor with parseInt: `OffsetConnection:abc` would be an OFFSET of NaN.
    for (const cursor of [args.after, args.before]) if (cursor != null) decodeOffsetCursor(cursor)
    checkOffset(args)
    const { offset, limit } = pothosChecked(() => offsetForArgs({ args, defaultSize: sizes.defaultPageSize, maxSize: sizes.maxPageSize }))
    // `offset` (a function's rows take it): skip that many first; cursors then count from there.
    return { limit, offset: offset + (args.offset ?? 0), backward: false }
  }
  const { before, after, first, last } = args
  if (before && after) throw badInput('Arguments "before" and "after" are not supported at the same time')
  if (before != null && first != null) throw badInput('Arguments "before" and "first" are not supported at the same time')
  if (after != null && last != null) throw badInput('Arguments "after" and "last" are not supported at the same time')
  checkOffset(args)
  const { limit } = getConnectionPageSize({ args, defaultSize: sizes.defaultPageSize, maxSize: sizes.maxPageSize })
  return { limit, offset: args.offset ?? 0, backward: before != null || last != null, cursor: before ?? after ?? undefined }
}

function checkOffset({ offset, after, before }: ConnectionArgs): void {
  if (offset == null) return
  if (after || before) throw badInput('Use either offset or after/before, not both.')
  if (offset < 0) throw badInput('offset must not be negative.')
}

/** `first`/`last` within 0..maxPageSize; the message names the limit and how to get more. */
function checkPageSize({ first, last }: ConnectionArgs, max: number): void {
  pothosChecked(() => validateConnectionArguments({ first, last }))
  if (first != null && first > max) throw badInput(`first must be at most ${max} (maxPageSize); ask for the next page with after: endCursor`)
  if (last != null && last > max) throw badInput(`last must be at most ${max} (maxPageSize); ask for the previous page with before: startCursor`)
}

/** An offset cursor as Pothos's Relay plugin writes one: base64 of `OffsetConnection:<n>`, n a whole number. */
function decodeOffsetCursor(cursor: string): number {
  let text = ''
  try {
    text = decodeBase64(cursor)
  } catch {
    // reported below
  }
  const offset = /^OffsetConnection:(\d{1,15})$/.exec(text)?.[1]
  if (offset === undefined) throw badInput(`Invalid cursor: ${cursor}`)
  return Number(offset)
}

/** A keyset cursor is base64 of `K:` and the row's key as a JSON array of texts (built in SQL by ./compile-read.ts). */
export function decodeKeyCursor(cursor: string, model: ModelInfo): unknown[] {
  try {
    const text = decodeBase64(cursor)
    const key = JSON.parse(text.slice(2)) as unknown
    if (text.startsWith('K:') && Array.isArray(key) && key.length === model.key.length) return key
  } catch {
    // reported below
  }
  throw badInput(`Invalid cursor: ${cursor}`)
}
