/**
 * The seams the layout promises, checked on the sources: no import cycles at run time, each layer
 * importing only the layers below it (introspect -> model -> planner -> schema -> serve, with db/
 * and the leaf modules errors.ts and log.ts at the bottom), and errors.ts importing nothing of
 * Portico's. Type-only imports are erased at run time and may point anywhere.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './support/test-database.js'

const SRC = path.join(repoRoot, 'src')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(file)
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [file] : []
  })
}

/** Each source file's run-time imports of other source files, as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8')
    const imports: string[] = []
    for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?'(\.{1,2}\/[^']+)'/gm)) {
      if (match[1]) continue
      // `import { type A, type B }` imports nothing at run time either.
      if (/^import\s+\{\s*(type\s+\w+\s*,?\s*)+\}/.test(match[0])) continue
      imports.push(path.relative(SRC, path.resolve(path.dirname(file), match[2]!)).replace(/\.js$/, '.ts'))
    }
    graph.set(path.relative(SRC, file), imports)
  }
  return graph
}

function cycles(graph: Map<string, string[]>): string[] {
  const found = new Set<string>()
  const done = new Set<string>()
  const stack: string[] = []
  const visit = (file: string) => {
    if (done.has(file)) return
    const at = stack.indexOf(file)
    if (at >= 0) {
      found.add([...stack.slice(at), file].join(' -> '))
      return
    }
    stack.push(file)
    for (const next of graph.get(file) ?? []) visit(next)
    stack.pop()
    done.add(file)
  }
  for (const file of graph.keys()) visit(file)
  return [...found]
}

/** What each folder may import at run time, besides itself and the leaf modules. */
const MAY_IMPORT: Record<string, string[]> = {
  db: [],
  introspect: ['db'],
  model: ['introspect', 'db'],
  planner: ['model', 'introspect', 'db'],
}
const LEAVES = ['errors.ts', 'log.ts', 'package-root.ts']
/** The one place introspection calls up: it runs the model's refinement passes on what it read. */
const EXCEPTIONS = new Set(['introspect/introspect-database.ts -> model/refine-schema.ts', 'introspect/introspect-database.ts -> model/schema-header.ts'])

describe('architecture', () => {
  const graph = importGraph()

  it('has no import cycles at run time', () => {
    expect(cycles(graph)).toEqual([])
  })

  it.each(Object.entries(MAY_IMPORT))('%s/ imports only the layers below it', (folder, allowed) => {
    const wrong = [...graph]
      .filter(([file]) => file.startsWith(`${folder}/`))
      .flatMap(([file, imports]) => imports.filter((i) => !LEAVES.includes(i) && !i.startsWith(`${folder}/`) && !allowed.some((a) => i.startsWith(`${a}/`))).map((i) => `${file} -> ${i}`))
    expect(wrong.filter((edge) => !EXCEPTIONS.has(edge))).toEqual([])
  })

  it('errors.ts is a leaf: it imports nothing of Portico', () => {
    expect(graph.get('errors.ts')).toEqual([])
  })
})
