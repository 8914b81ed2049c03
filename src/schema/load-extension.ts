/**
 * Loads extension modules (`portico serve --extension FILE`, config `extensions`): each default-
 * exports `(builder, portico) => void`. `.js` and `.mjs` files are imported as they are; `.ts`
 * files through tsx's `tsImport`, loaded only when one is given (Portico itself may one day run
 * without a TypeScript loader).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ExtensionError } from '../errors.js'
import type { LoadedExtension, PorticoExtension } from './extend.js'

const TYPESCRIPT = /\.[cm]?tsx?$/

export async function loadExtension(path: string): Promise<LoadedExtension> {
  const file = resolve(path)
  if (!existsSync(file)) throw new ExtensionError(`extension ${file} does not exist`)
  let module: { default?: unknown }
  try {
    if (TYPESCRIPT.test(file)) {
      const { tsImport } = await import('tsx/esm/api')
      module = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown }
    } else {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown }
    }
  } catch (error) {
    throw new ExtensionError(`extension ${file} could not be loaded: ${(error as Error).message}`)
  }
  // A .ts or .js file outside an ES-module package is CommonJS: its `export default` arrives as
  // `default.default` (Node's interop wraps module.exports in `default`).
  const wrapped = module.default as { default?: unknown } | undefined
  const extend = typeof wrapped === 'object' && wrapped !== null && typeof wrapped.default === 'function' ? wrapped.default : module.default
  if (typeof extend !== 'function') {
    throw new ExtensionError(`extension ${file} must default-export a function (builder, portico) => void; its default export is ${extend === undefined ? 'missing' : typeof extend}`)
  }
  return { source: file, extend: extend as PorticoExtension }
}
