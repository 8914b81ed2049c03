/**
 * The functions of the exposed schemas, read from pg_proc (Prisma does not introspect them): what
 * ../model/functions.ts needs to decide whether each becomes a root query, a mutation or a
 * computed field, and with which arguments and result. Types are resolved here, once: domains to
 * their base type (the cast keeps the domain, so its checks apply), arrays to their element, a
 * table's row type to that table, a composite type to its attributes.
 *
 * Functions that belong to an extension (pg_depend deptype 'e', e.g. citext's) are not the
 * database's own API and are not read.
 */
import { parseSmartComment, type Tags } from './smart-tags.js'
import type { Query } from './catalog.js'

/** A type as a function's argument or result uses it. `cast` is how SQL names the declared type (domain included). */
export type CatalogType =
  | {
      kind: 'scalar'
      /** The base type's pg_type name (`int4`, `timestamptz`, an enum's name) and schema, domains resolved. */
      baseType: string
      baseTypeSchema: string
      /** format_type() of the base type, without modifiers: `integer`, `timestamp with time zone`. */
      formatted: string
      isEnum: boolean
      domain?: string
      cast: string
    }
  | { kind: 'array'; element: CatalogType; cast: string }
  /** The row type of a table, view, materialized view or foreign table. */
  | { kind: 'row'; relation: { schema: string; name: string }; cast: string }
  /** A type made with CREATE TYPE ... AS (...). */
  | { kind: 'composite'; schema: string; name: string; attributes: { name: string; type: CatalogType }[]; cast: string }
  | { kind: 'void'; cast: string }
  /** `record`, `trigger`, `internal`, the polymorphic `any*`, ...: nothing a client can give or get. */
  | { kind: 'pseudo'; name: string; cast: string }

export interface CatalogFunctionArg {
  /** null when the argument has no name. */
  name: string | null
  type: CatalogType
}

export interface CatalogFunction {
  schema: string
  name: string
  kind: 'function' | 'procedure' | 'aggregate' | 'window'
  volatility: 'immutable' | 'stable' | 'volatile'
  strict: boolean
  returnsSet: boolean
  /** VARIADIC last argument. */
  variadic: boolean
  /** IN, INOUT and VARIADIC arguments, in order: what a call passes. */
  inputs: CatalogFunctionArg[]
  /** OUT, INOUT and TABLE columns, in order: what a row of the result holds (empty: the result is `returns`). */
  outputs: CatalogFunctionArg[]
  returns: CatalogType
  /** How many of the last inputs have defaults. */
  defaults: number
  comment: string | null
  tags: Tags
  description: string | null
}

const FUNCTIONS_SQL = `
SELECT p.oid::int8::text AS oid, n.nspname AS schema, p.proname AS name, p.prokind AS kind, p.provolatile AS volatility,
       p.proisstrict AS strict, p.proretset AS returns_set, p.provariadic <> 0 AS variadic,
       p.prorettype::int8::text AS return_type, p.pronargdefaults AS defaults,
       ARRAY(SELECT x::int8::text FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) AS x) AS arg_types,
       p.proargmodes::text[] AS arg_modes, p.proargnames AS arg_names,
       obj_description(p.oid, 'pg_proc') AS comment
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
 ORDER BY n.nspname, p.proname, p.oid`

/** The types with these oids (text, as oids may pass 2^31), their relation if any. */
const TYPES_SQL = `
SELECT t.oid::int8::text AS oid, n.nspname AS schema, t.typname AS name, t.typtype AS typtype, t.typcategory AS category,
       t.typelem::int8::text AS elem, t.typbasetype::int8::text AS base, c.relkind AS relkind,
       t.typrelid::int8::text AS relid, format_type(t.oid, NULL) AS formatted
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
 WHERE t.oid = ANY($1::text[]::oid[])`

const ATTRIBUTES_SQL = `
SELECT a.attrelid::int8::text AS relid, a.attname AS name, a.atttypid::int8::text AS type
  FROM pg_catalog.pg_attribute a
 WHERE a.attrelid = ANY($1::text[]::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`

interface TypeRow {
  oid: string
  schema: string
  name: string
  typtype: string
  category: string
  elem: string
  base: string
  relkind: string | null
  relid: string
  formatted: string
}

const KINDS: Record<string, CatalogFunction['kind']> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' }
const VOLATILITY: Record<string, CatalogFunction['volatility']> = { i: 'immutable', s: 'stable', v: 'volatile' }

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

export async function readFunctions(query: Query, schemas: string[]): Promise<CatalogFunction[]> {
  const rows = (await query(FUNCTIONS_SQL, [schemas])).rows
  const types = await readTypes(query, rows.flatMap((row) => [row.return_type as string, ...(row.arg_types as string[])]))
  return rows.map((row): CatalogFunction => {
    const argTypes = row.arg_types as string[]
    const modes = (row.arg_modes as string[] | null) ?? argTypes.map(() => 'i')
    const names = (row.arg_names as string[] | null) ?? []
    const args = argTypes.map((oid, i) => ({ mode: modes[i]!, arg: { name: names[i] || null, type: types(oid) } }))
    const { description, tags } = parseSmartComment(row.comment)
    return {
      schema: row.schema,
      name: row.name,
      kind: KINDS[row.kind] ?? 'function',
      volatility: VOLATILITY[row.volatility] ?? 'volatile',
      strict: row.strict,
      returnsSet: row.returns_set,
      variadic: row.variadic,
      inputs: args.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v').map((a) => a.arg),
      outputs: args.filter((a) => a.mode === 'o' || a.mode === 'b' || a.mode === 't').map((a) => a.arg),
      returns: types(row.return_type),
      defaults: row.defaults,
      comment: row.comment,
      tags,
      description,
    }
  })
}

/**
 * Reads the types with these oids and every type they are made of (array elements, domain
 * bases, composite attributes), a few round trips at most, and returns a resolver.
 */
async function readTypes(query: Query, oids: string[]): Promise<(oid: string) => CatalogType> {
  const rows = new Map<string, TypeRow>()
  const attributes = new Map<string, { name: string; type: string }[]>()
  let wanted = [...new Set(oids)]
  for (let round = 0; wanted.length && round < 10; round++) {
    const found = (await query(TYPES_SQL, [wanted])).rows as TypeRow[]
    for (const row of found) rows.set(row.oid, row)
    const composites = found.filter((t) => t.typtype === 'c' && t.relkind === 'c').map((t) => t.relid)
    const attributeRows = composites.length ? (await query(ATTRIBUTES_SQL, [composites])).rows : []
    for (const a of attributeRows) {
      const list = attributes.get(a.relid) ?? []
      list.push({ name: a.name, type: a.type })
      attributes.set(a.relid, list)
    }
    const next = [...found.flatMap((t) => [t.elem, t.base]), ...attributeRows.map((a) => a.type as string)]
    wanted = [...new Set(next)].filter((oid) => oid !== '0' && !rows.has(oid))
  }
  const resolve = (oid: string, depth = 0): CatalogType => {
    const t = rows.get(oid)
    if (!t || depth > 20) return { kind: 'pseudo', name: `type ${oid}`, cast: 'unknown' }
    const cast = t.schema === 'pg_catalog' ? t.formatted : `${quote(t.schema)}.${quote(t.name)}`
    if (t.typtype === 'd') {
      const base = resolve(t.base, depth + 1)
      return base.kind === 'scalar' ? { ...base, domain: `${t.schema}.${t.name}`, cast } : { ...base, cast }
    }
    if (t.category === 'A' && t.elem !== '0') return { kind: 'array', element: resolve(t.elem, depth + 1), cast }
    if (t.typtype === 'c') {
      if (t.relkind !== 'c') return { kind: 'row', relation: { schema: t.schema, name: t.name }, cast }
      const attrs = (attributes.get(t.relid) ?? []).map((a) => ({ name: a.name, type: resolve(a.type, depth + 1) }))
      return { kind: 'composite', schema: t.schema, name: t.name, attributes: attrs, cast }
    }
    if (t.typtype === 'p') return t.name === 'void' ? { kind: 'void', cast } : { kind: 'pseudo', name: t.name, cast }
    return { kind: 'scalar', baseType: t.name, baseTypeSchema: t.schema, formatted: t.formatted, isEnum: t.typtype === 'e', cast }
  }
  return (oid) => resolve(oid)
}
