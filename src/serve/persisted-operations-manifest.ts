/**
 * A persisted-operations manifest: the documents a server runs by id. Read once at start, in
 * either of the two shapes clients' build tools write:
 *
 *   { "<id>": "<document>", ... }                         Relay, GraphQL Codegen's persisted documents
 *   { "format": "apollo-persisted-query-manifest", "version": 1,
 *     "operations": [{ "id": "<sha256>", "body": "<document>", ... }] }   Apollo's generate-persisted-query-manifest
 *
 * Every document must parse (not yet validate: the schema is not known before the database is
 * introspected, and validation runs on each request anyway). A problem is one readable sentence.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse } from 'graphql'

/** Documents by id. */
export type Manifest = ReadonlyMap<string, string>

export function readManifest(file: string): Manifest {
  const result = loadManifest(file)
  if (typeof result === 'string') throw new Error(result)
  return result
}

/** What is wrong with the manifest file, or undefined when it is fine (for configuration checks). */
export function manifestProblem(file: string): string | undefined {
  const result = loadManifest(file)
  return typeof result === 'string' ? result : undefined
}

/**
 * The document a request's id names. The GraphQL-over-HTTP draft writes SHA-256 ids as
 * `sha256:<hex>`, Apollo's clients and manifests as the bare hex: either finds either.
 */
export function findDocument(manifest: Manifest, id: string): string | undefined {
  return manifest.get(id) ?? manifest.get(id.startsWith('sha256:') ? id.slice('sha256:'.length) : `sha256:${id}`)
}

function loadManifest(file: string): Manifest | string {
  const path = resolve(file)
  if (!existsSync(path)) return `the manifest ${path} does not exist`
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    return `the manifest ${path} is not valid JSON: ${(error as Error).message}`
  }
  const entries = manifestEntries(json)
  if (typeof entries === 'string') return `the manifest ${path} ${entries}`
  const documents = new Map<string, string>()
  for (const [id, document] of entries) {
    if (typeof document !== 'string' || !document.trim()) return `the manifest ${path}: the document of "${id}" is not a non-empty string`
    try {
      parse(document)
    } catch (error) {
      return `the manifest ${path}: the document of "${id}" does not parse: ${(error as Error).message}`
    }
    documents.set(id, document)
  }
  return documents
}

function manifestEntries(json: unknown): [string, unknown][] | string {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return 'must be a JSON object of documents by id'
  const object = json as Record<string, unknown>
  if (object.format !== 'apollo-persisted-query-manifest') return Object.entries(object)
  if (object.version !== 1 || !Array.isArray(object.operations)) return 'is an Apollo manifest, but not version 1 with an "operations" list'
  const entries: [string, unknown][] = []
  for (const [index, operation] of object.operations.entries()) {
    const { id, body } = (operation ?? {}) as { id?: unknown; body?: unknown }
    if (typeof id !== 'string' || !id) return `has an operation (number ${index + 1}) without a string "id"`
    entries.push([id, body])
  }
  return entries
}
