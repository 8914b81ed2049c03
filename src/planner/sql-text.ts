/**
 * The planner's SQL text as a branded string, `Sql`: the compiler only accepts SQL made by the
 * constructors here, so a plain string (a GraphQL argument, a name, a value) can never be written
 * into a statement by mistake; passing one where SQL is expected fails `tsc`.
 *
 * The ways to make `Sql`, and why each is safe:
 * - sql`...`: the template's text is written in the planner's source; each interpolation must
 *   itself be `Sql` (arrays only through `join`, with an explicit separator);
 * - ident(name) and literal(text): outside text, quoted;
 * - int(n): a whole number, checked;
 * - Params.add (./sql.ts): a `$n` placeholder, the value kept apart;
 * - trusted(text): text the planner vouches for that no template can write (a type name as the
 *   catalog's format_type() wrote it). Grep for `trusted(`: every use says why.
 * - choice(table, key): the entry of a fixed table of SQL, for a choice a request makes (an
 *   aggregate, a bucket unit, a comparison): a key not in the table writes nothing.
 *
 * A brand, not an object (as pg-sql2's nodes are): the check is the compiler's alone, so at run
 * time `Sql` is the string itself and building a statement costs what string concatenation
 * costs, on the path every request takes.
 *
 * Not to be confused with ./sql-template.ts's `SqlFragment`, the `sql` tag extension authors get:
 * their code is JavaScript the compiler may not check, so that tag keeps values apart at run
 * time and always makes them parameters. This module is the planner's own, checked by `tsc`.
 */

declare const brand: unique symbol

/** SQL text made by this module's constructors (see above). */
export type Sql = string & { readonly [brand]: 'Sql' }

/** SQL written in the planner's source; every interpolation is SQL already. */
export function sql(strings: TemplateStringsArray, ...parts: readonly Sql[]): Sql {
  let text = strings[0]!
  for (let i = 0; i < parts.length; i += 1) text += parts[i]! + strings[i + 1]!
  return text as Sql
}

/** Fragments with a separator between them (`join(columns, sql\`, \`)`). */
export const join = (fragments: readonly Sql[], separator: Sql): Sql => fragments.join(separator) as Sql

/** A quoted identifier: `"name"`, its double quotes doubled. */
export const ident = (name: string): Sql => `"${name.replaceAll('"', '""')}"` as Sql

/** A quoted literal: `'text'`, its single quotes doubled (standard_conforming_strings is on since PostgreSQL 9.1). */
export const literal = (text: string): Sql => `'${text.replaceAll("'", "''")}'` as Sql

/** A whole number (LIMIT, OFFSET, a page size), refused if it is anything else. */
export function int(n: number): Sql {
  if (!Number.isSafeInteger(n)) throw new TypeError(`not a whole number: ${n}`)
  return String(n) as Sql
}

/**
 * Text the planner vouches for without a template: only what no template can write and no
 * request chooses. Each use says why it is safe.
 */
export const trusted = (text: string): Sql => text as Sql

/** Whether `key` is one of the table's own keys (not one inherited, such as `constructor`). */
export const inTable = <K extends string>(table: Readonly<Record<K, Sql>>, key: string): key is K => Object.hasOwn(table, key)

/**
 * The SQL a fixed table gives for a request's choice; a key not in the table throws, so no
 * choice can put text of its own into a statement.
 */
export function choice<K extends string>(table: Readonly<Record<K, Sql>>, key: string): Sql {
  if (!inTable(table, key)) throw new Error(`${JSON.stringify(key)} is not one of ${Object.keys(table).join(', ')}`)
  return table[key]
}
