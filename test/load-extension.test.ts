/**
 * Extension files as a new user writes them: a .ts file in a folder of their own, with no
 * package.json saying "type": "module" (so Node and tsx treat it as CommonJS), must load like one
 * inside an ES-module package.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { loadExtension } from '../src/schema/load-extension.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-extension-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it.each([
  ['a .ts file outside any package (CommonJS)', 'my-fields.ts', 'export default (builder: unknown) => { (builder as { seen: string[] }).seen.push("ts") }\n', 'ts'],
  ['a .cjs file with module.exports', 'my-fields.cjs', 'module.exports = (builder) => { builder.seen.push("cjs") }\n', 'cjs'],
  ['an .mjs file', 'my-fields.mjs', 'export default (builder) => { builder.seen.push("mjs") }\n', 'mjs'],
])('%s loads, and its default export is the extension', async (_what, name, source, mark) => {
  const file = path.join(dir, name)
  writeFileSync(file, source)
  const loaded = await loadExtension(file)
  const builder = { seen: [] as string[] }
  ;(loaded.extend as (b: unknown) => void)(builder)
  expect(builder.seen).toEqual([mark])
})
