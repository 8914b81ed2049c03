// Loader hooks for module-log.mjs (they run on the loader's own thread).
import { appendFileSync } from 'node:fs'

let file

export function initialize(data) {
  file = data.file
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context)
  appendFileSync(file, `${result.url}\n`)
  return result
}
