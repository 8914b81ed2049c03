/**
 * usePersistedOperations: runs the documents of a manifest (./persisted-operations-manifest.ts)
 * by id, through Yoga's persisted-operations plugin. The id comes as Apollo's clients send it
 * (`extensions.persistedQuery.sha256Hash`) or as the GraphQL-over-HTTP draft does (`documentId`,
 * in a POST body or a GET's query string). With `only`, that is all the server runs: a request
 * with a document of its own is a 403, so a client can only ask what its build shipped. Without
 * `only`, documents are accepted as before and ids are a shortcut.
 */
import { usePersistedOperations as useYogaPersistedOperations, type UsePersistedOperationsOptions } from '@graphql-yoga/plugin-persisted-operations'
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga'
import { findDocument, readManifest } from './persisted-operations-manifest.js'

export interface PersistedOperationsOptions {
  /** The manifest file (checked when the configuration is loaded). */
  file?: string
  /** Run nothing but the manifest's documents. */
  only: boolean
}

const error = (message: string, code: string, status: number) => ({ message, extensions: { code, http: { status } } })

export function usePersistedOperations(options: PersistedOperationsOptions): Plugin {
  const manifest = options.file ? readManifest(options.file) : new Map<string, string>()
  const sendAnId = 'extensions.persistedQuery.sha256Hash (Apollo) or documentId'
  const settings: UsePersistedOperationsOptions = {
    allowArbitraryOperations: !options.only,
    extractPersistedOperationId: operationId,
    getPersistedOperation: (id) => findDocument(manifest, id) ?? null,
    customErrors: {
      // Apollo's code, which its clients' automatic persisted queries answer by sending the document.
      notFound: (payload) => {
        const id = operationId(payload.params, payload.request) ?? ''
        const { message, extensions } = error(`No persisted operation has the id "${id.slice(0, 100)}".`, 'PERSISTED_QUERY_NOT_FOUND', 400)
        return createGraphQLError(message, { extensions })
      },
      persistedQueryOnly: error(`This server runs persisted operations only: send the id of one (${sendAnId}), not a document.`, 'PERSISTED_QUERY_ONLY', 403),
      keyNotFound: error(
        options.only ? `Send the id of a persisted operation (${sendAnId}).` : `Must provide query string, or the id of a persisted operation (${sendAnId}).`,
        'BAD_REQUEST',
        400,
      ),
    },
  }
  return useYogaPersistedOperations(settings) as Plugin
}

/** The operation id of a request, in either of the forms clients send. */
function operationId(params: GraphQLParams, request: Request): string | null {
  const apollo = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery
  if (apollo?.version === 1 && typeof apollo.sha256Hash === 'string') return apollo.sha256Hash
  // Yoga keeps a POST body's members in params, but reads only the standard ones from a GET's URL.
  const documentId = (params as { documentId?: unknown }).documentId ?? (request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null)
  return typeof documentId === 'string' && documentId ? documentId : null
}
