/**
 * Clients for the live transports, as apps use them: graphql-ws over `ws`, graphql-sse in both
 * modes over fetch. Each subscription collects its results; `next()` waits for the next one.
 */
import { createClient as createSSEClient } from 'graphql-sse'
import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws'
import WebSocket from 'ws'

export interface Collected {
  results: any[]
  /** Resolves with the n-th result (0-based), waiting for it up to timeoutMs. */
  nth(n: number, timeoutMs?: number): Promise<any>
  done: Promise<void>
  error?: unknown
  stop(): void
}

export type Transport = 'ws' | 'sse-distinct' | 'sse-single'

/** A document, or a whole request (a persisted operation's id, extensions) as the client sends it. */
export type Operation = string | Record<string, unknown>

export interface LiveClient {
  subscribe(operation: Operation, variables?: Record<string, unknown>): Collected
  close(): Promise<void>
}

const payloadOf = (operation: Operation, variables?: Record<string, unknown>) =>
  (typeof operation === 'string' ? { query: operation, variables } : { ...operation, ...(variables ? { variables } : {}) }) as unknown as { query: string }

export function liveClient(transport: Transport, httpUrl: string, options: { token?: string } = {}): LiveClient {
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {}
  if (transport === 'ws') {
    const ws: WSClient = createWSClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
      retryAttempts: 0,
      lazy: true,
    })
    return {
      subscribe: (operation, variables) => collect((sink) => ws.subscribe(payloadOf(operation, variables), sink)),
      close: async () => ws.dispose(),
    }
  }
  const sse = createSSEClient({ url: httpUrl, singleConnection: transport === 'sse-single', headers, retryAttempts: 0 } as never) as ReturnType<typeof createSSEClient>
  return {
    subscribe: (operation, variables) => collect((sink) => sse.subscribe(payloadOf(operation, variables), sink)),
    close: async () => sse.dispose(),
  }
}

type Sink = { next(value: any): void; error(error: unknown): void; complete(): void }

function collect(start: (sink: Sink) => () => void): Collected {
  const results: any[] = []
  const waiters: { n: number; resolve: (value: any) => void }[] = []
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  const collected: Collected = {
    results,
    done,
    nth(n, timeoutMs = 5_000) {
      if (results.length > n) return Promise.resolve(results[n])
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no result #${n} within ${timeoutMs} ms; got ${JSON.stringify(results)}${collected.error ? `, error ${JSON.stringify(collected.error)}` : ''}`)), timeoutMs)
        waiters.push({ n, resolve: (value) => (clearTimeout(timer), resolve(value)) })
      })
    },
    stop: () => stop(),
  }
  const stop = start({
    next(value) {
      results.push(value)
      for (const waiter of waiters.filter((w) => w.n === results.length - 1)) waiter.resolve(value)
    },
    error(error) {
      collected.error = error instanceof Error ? error.message : error
      finish()
    },
    complete: () => finish(),
  })
  return collected
}
