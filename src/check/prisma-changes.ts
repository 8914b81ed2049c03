/**
 * What changed between two prisma/schema.prisma texts, as lines added and removed, each with the
 * model (or view, enum) it belongs to. A plain textual summary: the GraphQL side (./graphql-changes.ts)
 * is where changes are classed by what they do to clients.
 */
import { diffLines } from 'diff'

export interface LineChange {
  sign: '+' | '-'
  /** `model Iotawatt`, `enum Rating`; none for lines outside a block (datasource, generators). */
  block?: string
  line: string
}

const BLOCK = /^\s*(model|view|enum|type|datasource|generator)\s+(\w+)/

export function prismaChanges(before: string, after: string): LineChange[] {
  const changes: LineChange[] = []
  let block: string | undefined
  // Prisma aligns a block's columns: one longer name re-spaces every line of it. Compared with
  // spacing collapsed, only the lines that changed show.
  for (const part of diffLines(collapseSpaces(before), collapseSpaces(after))) {
    for (const line of part.value.split('\n').filter((l) => l.trim() !== '')) {
      const opens = BLOCK.exec(line)
      if (opens) block = `${opens[1]} ${opens[2]}`
      if (part.added || part.removed) changes.push({ sign: part.added ? '+' : '-', ...(block ? { block } : {}), line })
      if (line === '}') block = undefined
    }
  }
  return changes
}

function collapseSpaces(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .join('\n')
}

export function formatLineChanges(changes: LineChange[]): string {
  return changes.map((c) => `  ${c.sign} ${c.block ? `${c.block}: ` : ''}${c.line}\n`).join('')
}
