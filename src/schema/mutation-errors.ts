/**
 * Errors of a write -> typed GraphQL errors a client can act on: a code, the type, the constraint
 * and the fields or relation it covers, never SQL text. Thrown as ClientErrors, so Yoga's masking
 * lets them through (../serve/yoga.ts).
 *
 * With Prisma 7's driver adapters a database error carries its SQLSTATE in
 * `meta.driverAdapterError.cause.originalCode`, and the constraint's name in the cause or in
 * PostgreSQL's message. Which columns a constraint covers is read from the catalog on the error
 * path only (`describeConstraint`).
 */
import { databaseFailureError } from '../db/connection-errors.js'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { ClientError } from '../errors.js'

/** A constraint as the catalog describes it, by PostgreSQL names. */
export interface ConstraintInfo {
  schema: string
  table: string
  columns: string[]
  /** For a foreign key: the table it references. */
  references?: { schema: string; table: string }
}

export type ConstraintLookup = (name: string) => Promise<ConstraintInfo | undefined>

interface Cause {
  originalCode?: string
  originalMessage?: string
  kind?: string
  constraint?: { index?: string; fields?: string[] }
  column?: string
  table?: string
  detail?: string
}

interface PrismaLikeError {
  name?: string
  code?: string
  message?: string
  meta?: { driverAdapterError?: { cause?: Cause }; modelName?: string; [key: string]: unknown }
}

const RETRY = 'the transaction conflicted with another one: nothing was written; retry the mutation'

export async function toMutationError(error: unknown, datamodel: Datamodel, lookup: ConstraintLookup): Promise<unknown> {
  if (error instanceof Error && error.name === 'GraphQLError') return error
  // The database down or out of free connections (Prisma's P1001, pg-pool's timeout): nothing was
  // written, and the same mutation may work shortly. The pool logs the outage, once.
  const unavailable = databaseFailureError(error)
  if (unavailable) return unavailable
  const e = error as PrismaLikeError
  if (e?.name === 'PrismaClientValidationError') return validationError(e.message ?? '')
  const cause = e?.meta?.driverAdapterError?.cause ?? (e as { cause?: Cause })?.cause
  const sqlState = cause?.originalCode ?? (e as { cause?: { code?: string } })?.cause?.code
  const message = cause?.originalMessage ?? ''
  const type = e?.meta?.modelName
  if (e?.code === 'P2025') return new ClientError(notFoundMessage(e), 'NOT_FOUND', { type })
  if (e?.code === 'P2014') return new ClientError('the change would leave a required relation without its row', 'RELATION_VIOLATION', { type, relation: e.meta?.relation_name })
  if (e?.code === 'P2034' || sqlState === '40001' || sqlState === '40P01') return new ClientError(RETRY, 'SERIALIZATION_FAILURE', { retry: true })
  if (e?.code === 'P2028') return new ClientError('the mutation took too long and was rolled back: nothing was written', 'TRANSACTION_TIMEOUT', { retry: true })
  if (!sqlState) return error
  const constraintName = cause?.constraint?.index ?? /constraint "([^"]+)"/.exec(message)?.[1]
  const constraint = constraintName ? await lookup(constraintName).catch(() => undefined) : undefined
  const model = constraint ? modelOf(datamodel, constraint.schema, constraint.table) : undefined
  const fields = model && constraint ? constraint.columns.map((c) => fieldOf(model, c)) : undefined
  switch (sqlState) {
    case '23505':
      return new ClientError(`a ${model?.name ?? 'row'} with the same ${fields?.join(' + ') ?? 'key'} already exists (${constraintName})`, 'UNIQUE_VIOLATION', {
        type: model?.name ?? type,
        constraint: constraintName,
        fields,
      })
    case '23503': {
      const relation = model && constraint ? relationOf(datamodel, model, constraint) : undefined
      const target = constraint?.references && modelOf(datamodel, constraint.references.schema, constraint.references.table)
      const deleting = /^update or delete on/.test(message)
      const qualified = relation && model ? `${model.name}.${relation}` : undefined
      return new ClientError(
        deleting
          ? `${target?.name ?? type ?? 'the'} row is still referred to by ${model?.name ?? 'other'} rows (${qualified ?? constraintName})`
          : `${qualified ?? 'a foreign key'} refers to a ${target?.name ?? 'row'} that does not exist`,
        'FOREIGN_KEY_VIOLATION',
        { type: deleting ? (target?.name ?? type) : (model?.name ?? type), constraint: constraintName, relation: qualified, fields, references: target?.name },
      )
    }
    case '23502': {
      const column = cause?.column ?? /column "([^"]+)"/.exec(message)?.[1]
      const table = /of relation "([^"]+)"/.exec(message)?.[1]
      const owner = table ? [...datamodel.models.values()].find((m) => m.table.name === table) : undefined
      const field = owner && column ? fieldOf(owner, column) : column
      return new ClientError(`${owner?.name ?? 'the row'}.${field} may not be null`, 'NOT_NULL_VIOLATION', { type: owner?.name ?? type, field })
    }
    case '23514':
      return new ClientError(`the values break the check ${constraintName}`, 'CHECK_VIOLATION', { type: model?.name ?? type, constraint: constraintName, fields })
    case '23P01':
      return new ClientError(`the row conflicts with another (${constraintName})`, 'EXCLUSION_VIOLATION', { type: model?.name ?? type, constraint: constraintName })
    case '22001':
      return new ClientError(`a value is too long for its column (${/for type ([\w ]+(\(\d+\))?)/.exec(message)?.[1] ?? 'its type'})`, 'VALUE_TOO_LONG', { type })
    case '428C9': {
      const column = /column "([^"]+)"/.exec(message)?.[1]
      return new ClientError(`${column ?? 'a column'} is generated by the database and cannot be written`, 'GENERATED_COLUMN', { type, column })
    }
    case '42501':
      // GRANTs or a row-level security policy refused the caller's role (e.g. "new row violates
      // row-level security policy for table \"notes\""): names the object, never the statement.
      return new ClientError(`permission denied: ${safeDetail(message)}`, 'FORBIDDEN', { type })
    case '22P02':
      if (/enum/.test(message)) return new ClientError('a value is not one of its enum\'s values', 'INVALID_ENUM_VALUE', { type })
      return new ClientError(`a value cannot be read as its column's type: ${safeDetail(message)}`, 'INVALID_VALUE', { type })
  }
  // Other data exceptions (class 22: bad dates, intervals, out-of-range numbers) say what is wrong.
  if (sqlState.startsWith('22')) return new ClientError(`a value was rejected: ${safeDetail(message)}`, 'INVALID_VALUE', { type, sqlState })
  return new ClientError(`the database refused the write (SQLSTATE ${sqlState}): nothing was written`, 'DATABASE_ERROR', { type, sqlState })
}

/**
 * An error of a statement the planner sent for a write (a keyless table's insert, a VOLATILE
 * function's call): pg's error, typed as Prisma's are. Anything without a SQLSTATE is returned as is.
 */
export async function toDatabaseMutationError(error: unknown, datamodel: Datamodel, lookup: ConstraintLookup, modelName?: string): Promise<unknown> {
  const e = error as { code?: string; message?: string; constraint?: string; column?: string; table?: string; detail?: string }
  if (!e?.code || error instanceof ClientError) return toMutationError(error, datamodel, lookup)
  const cause = { originalCode: e.code, originalMessage: e.message, constraint: e.constraint ? { index: e.constraint } : undefined, column: e.column, table: e.table, detail: e.detail }
  return toMutationError({ meta: { driverAdapterError: { cause }, modelName } }, datamodel, lookup)
}

/**
 * PostgreSQL's data-exception messages name the type and quote the value
 * (`invalid input syntax for type interval: "bogus"`), never the statement: safe to show.
 */
function safeDetail(message: string): string {
  return message.split('\n')[0]!.slice(0, 200)
}

/** Prisma's validation messages end with what is wrong (`Argument `name` must not be null.`). */
function validationError(message: string): ClientError {
  const lines = message.trim().split('\n').map((l) => l.trim()).filter(Boolean)
  const last = lines[lines.length - 1] ?? 'invalid arguments'
  const field = /Argument `(\w+)`/.exec(last)?.[1]
  if (/must not be null/.test(last)) return new ClientError(`${field} may not be null`, 'NOT_NULL_VIOLATION', { field })
  if (/is missing/.test(last)) return new ClientError(`${field} is missing: give it (or, for a relation, its foreign-key columns)`, 'BAD_USER_INPUT', { field })
  return new ClientError(last.replace(/^→\s*/, ''), 'BAD_USER_INPUT', field ? { field } : {})
}

function notFoundMessage(e: PrismaLikeError): string {
  const operation = String(e.meta?.operation ?? '')
  if (/connect/.test(operation)) return `a ${String(e.meta?.model ?? 'row')} to connect was not found`
  return `no ${e.meta?.modelName ?? ''} row has this key`.replace('  ', ' ')
}

function modelOf(datamodel: Datamodel, schema: string, table: string): ModelInfo | undefined {
  return [...datamodel.models.values()].find((m) => m.table.schema === schema && m.table.name === table)
}

function fieldOf(model: ModelInfo, column: string): string {
  for (const [field, info] of model.columns) if (info.name === column) return field
  return column
}

/** The to-one relation of `model` whose foreign-key columns are the constraint's. */
function relationOf(datamodel: Datamodel, model: ModelInfo, constraint: ConstraintInfo): string | undefined {
  const fields = constraint.columns.map((c) => fieldOf(model, c))
  for (const relation of model.relations) {
    const join = model.joins.get(relation.name)
    if (relation.isList || !join || join.from.length !== fields.length) continue
    const target = datamodel.models.get(relation.type)
    const same = join.from.every((f) => fields.includes(f))
    if (same && (!constraint.references || (target?.table.schema === constraint.references.schema && target.table.name === constraint.references.table))) return relation.name
  }
  return undefined
}

/** The catalog read behind ConstraintLookup: constraints first, then unique indexes (by name). */
export const CONSTRAINT_SQL = `
  SELECT n.nspname AS schema, t.relname AS "table", fn.nspname AS ref_schema, ft.relname AS ref_table,
         ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(num, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns
    FROM pg_catalog.pg_constraint c
    JOIN pg_catalog.pg_class t ON t.oid = c.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_catalog.pg_class ft ON ft.oid = c.confrelid
    LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = ft.relnamespace
   WHERE c.conname = $1
  UNION ALL
  SELECT n.nspname, t.relname, NULL, NULL,
         ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.ord)
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
   WHERE ic.relname = $1 AND i.indisunique`

/** A lookup that asks PostgreSQL through `query` (Prisma's $queryRawUnsafe), for a model of the API first. */
export function constraintLookup(datamodel: Datamodel, query: (sql: string, name: string) => Promise<Record<string, unknown>[]>): ConstraintLookup {
  return async (name) => {
    const rows = await query(CONSTRAINT_SQL, name)
    const row = rows.find((r) => modelOf(datamodel, r.schema as string, r.table as string)) ?? rows[0]
    if (!row) return undefined
    return {
      schema: row.schema as string,
      table: row.table as string,
      columns: row.columns as string[],
      references: row.ref_table ? { schema: row.ref_schema as string, table: row.ref_table as string } : undefined,
    }
  }
}
