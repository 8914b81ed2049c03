/** Renders an Inspection for people (aligned plain-text tables) and for tools (JSON). */
import type { Inspection } from './catalog.js'

const yesNo = (value: boolean) => (value ? 'yes' : 'no')

/**
 * One aligned table: heading, header row, dashed separator, rows; columns padded to the
 * widest cell and separated by two spaces. Columns listed in `right` are right-aligned
 * (numbers). Trailing spaces are trimmed so the output diffs cleanly.
 */
function table(heading: string, headers: string[], rows: string[][], right: number[] = []): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (right.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd()
  const body = rows.length ? rows.map(line) : ['(none)']
  return [heading, line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body].join('\n')
}

/** The three tables Columns, Constraints and Indexes, separated by blank lines; no trailing newline. */
export function formatInspectionText(i: Inspection): string {
  const kinds = new Map(i.relations.map((r) => [r.table, r.kind]))
  return [
    table(
      'Columns',
      ['table', 'kind', 'position', 'column', 'type', 'nullable', 'default'],
      i.columns.map((c) => [c.table, kinds.get(c.table) ?? '', String(c.position), c.column, c.dataType, yesNo(c.nullable), c.default ?? '']),
      [2],
    ),
    table(
      'Constraints',
      ['table', 'constraint', 'type', 'columns', 'references', 'definition'],
      i.constraints.map((c) => [
        c.table,
        c.name,
        c.type,
        c.columns.join(', '),
        c.foreignTable ? `${c.foreignTable}(${(c.foreignColumns ?? []).join(', ')})` : '',
        c.definition,
      ]),
    ),
    table(
      'Indexes',
      ['table', 'index', 'unique', 'primary', 'definition'],
      i.indexes.map((x) => [x.table, x.index, yesNo(x.unique), yesNo(x.primary), x.definition]),
    ),
  ].join('\n\n')
}

/**
 * Pretty JSON whose key order does not depend on how the Inspection was built (e.g. by a
 * driver that returns row keys in another order): every object is rebuilt field by field.
 */
export function formatInspectionJson(i: Inspection): string {
  const stable: Inspection = {
    relations: i.relations.map((r) => ({ table: r.table, kind: r.kind })),
    columns: i.columns.map((c) => ({
      table: c.table,
      column: c.column,
      position: c.position,
      dataType: c.dataType,
      nullable: c.nullable,
      default: c.default,
    })),
    constraints: i.constraints.map((c) => ({
      table: c.table,
      name: c.name,
      type: c.type,
      columns: c.columns,
      foreignTable: c.foreignTable,
      foreignColumns: c.foreignColumns,
      definition: c.definition,
    })),
    indexes: i.indexes.map((x) => ({ table: x.table, index: x.index, definition: x.definition, unique: x.unique, primary: x.primary })),
  }
  return JSON.stringify(stable, null, 2)
}
