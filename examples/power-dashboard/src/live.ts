/**
 * A typed live subscription over GraphQL over Server-Sent Events (graphql-sse's client, distinct
 * connections mode: one streaming request per operation, which Portico's /graphql serves). The
 * TypedDocumentNode carries the result and variables types, so `onResult` gets exactly the shape
 * the document selects. graphql-sse retries lost connections by itself.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import { print } from 'graphql'
import { createClient } from 'graphql-sse'

export interface LiveHandlers<TResult> {
  onResult(data: TResult): void
  /** `final`: the subscription is over (the server ended it, or refused it); else it is retrying. */
  onError(message: string, final: boolean): void
  /** The stream is open (again): results follow. */
  onConnected(): void
}

const client = createClient({
  url: new URL('/graphql', window.location.href).toString(),
  singleConnection: false,
  retryAttempts: Infinity,
  // A few seconds between attempts while Portico is restarting, not a storm.
  retry: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5_000))),
})

export function subscribeLive<TResult, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  live: LiveHandlers<TResult>,
): () => void {
  let lastError: string | undefined
  return client.subscribe<TResult>(
    { query: print(document), variables },
    {
      next: (result) => {
        // A live result with errors (a poll failing, a slow consumer) is the last one of the stream.
        if (result.errors?.length) live.onError((lastError = result.errors.map((e) => e.message).join('; ')), false)
        else if (result.data) live.onResult(result.data)
      },
      error: (error) => live.onError(error instanceof Error ? error.message : describe(error), true),
      complete: () => live.onError(lastError ?? 'the server ended the stream', true),
    },
    {
      connected: () => live.onConnected(),
      connecting: (reconnecting) => {
        if (reconnecting) live.onError('reconnecting…', false)
      },
    },
  )
}

function describe(error: unknown): string {
  if (Array.isArray(error)) return error.map((e) => (e as { message?: string }).message ?? String(e)).join('; ')
  if (error && typeof error === 'object' && 'message' in error) return String(error.message)
  return String(error)
}
