/**
 * The `sql` tagged template extensions write their statements with: every interpolated value is
 * a parameter ($1, $2, ...), never text, so no value can change what the statement says. A
 * fragment made by the same tag (`sql.fragment`) nests with its own parameters renumbered, and
 * `sql.identifier('name')` is the one way to put a name into the text (quoted).
 *
 * Two `sql` tags, on purpose: this one is the extension authors' (`SqlFragment`, an object that
 * keeps its values apart until compileFragment numbers them), checked at run time because their
 * code is JavaScript no compiler need check; the planner's own is ./sql-text.ts (`Sql`, a branded
 * string checked by tsc, free at run time). They share only the quoting of identifiers.
 */
import { ident } from './sql-text.js'

const FRAGMENT = Symbol('portico.sql.fragment')

/** A piece of SQL text with its parameters, numbered from 1 within the piece. */
export interface SqlFragment {
  readonly [FRAGMENT]: true
  readonly parts: readonly string[]
  readonly values: readonly unknown[]
}

const isFragment = (value: unknown): value is SqlFragment => typeof value === 'object' && value !== null && FRAGMENT in value

/** `sql\`...\`` as a fragment: the template's text, its values kept apart. */
export function fragment(strings: TemplateStringsArray | readonly string[], ...values: unknown[]): SqlFragment {
  return { [FRAGMENT]: true, parts: [...strings], values: [...values] }
}

/** A quoted identifier (`schema.table` as two parts: identifier('app', 'person')). */
export function identifier(...names: string[]): SqlFragment {
  if (names.length === 0 || names.some((n) => typeof n !== 'string' || n.length === 0)) throw new TypeError('sql.identifier takes one or more non-empty names')
  return { [FRAGMENT]: true, parts: [names.map(ident).join('.')], values: [] }
}

/** The statement's text with $n placeholders, and its values in order. */
export function compileFragment(root: SqlFragment): { text: string; values: unknown[] } {
  const values: unknown[] = []
  const write = (piece: SqlFragment): string => {
    let text = piece.parts[0] ?? ''
    piece.values.forEach((value, i) => {
      if (isFragment(value)) text += write(value)
      else {
        values.push(value)
        text += `$${values.length}`
      }
      text += piece.parts[i + 1] ?? ''
    })
    return text
  }
  return { text: write(root), values }
}

/**
 * Does the statement only read? A statement that writes must tell the request's transaction
 * (inside it, a failing statement after a write undoes only itself, by a savepoint): anything
 * that does not start with SELECT is taken as a write.
 */
export const onlyReads = (text: string): boolean => /^\s*(\(\s*)*select\b/i.test(text)
