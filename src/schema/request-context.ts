/**
 * The GraphQL context of one request, and where code that has no context at hand finds it.
 *
 * `context.portico` carries what belongs to one request: its DataLoaders (made on first use, gone
 * with the request, so a batch never mixes callers) and the identity its database session runs
 * as. While an operation executes, the context is also held in AsyncLocalStorage
 * (../serve/use-request-scope.ts), so an extension's helpers (`portico.loader`, `portico.lookup`)
 * find their request without being handed the context.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import DataLoader from 'dataloader'

export interface RequestScope {
  /** The request's DataLoader named `key`, made from `batch` on first use. */
  loader<K, V, C = K>(key: string, batch: DataLoader.BatchLoadFn<K, V>, options?: DataLoader.Options<K, V, C>): DataLoader<K, V, C>
}

export interface PorticoContext {
  portico: RequestScope
}

export function createRequestContext(): PorticoContext {
  const loaders = new Map<string, DataLoader<unknown, unknown, unknown>>()
  return {
    portico: {
      loader<K, V, C = K>(key: string, batch: DataLoader.BatchLoadFn<K, V>, options?: DataLoader.Options<K, V, C>): DataLoader<K, V, C> {
        let loader = loaders.get(key)
        if (!loader) loaders.set(key, (loader = new DataLoader(batch, options) as DataLoader<unknown, unknown, unknown>))
        return loader as unknown as DataLoader<K, V, C>
      },
    },
  }
}

const executing = new AsyncLocalStorage<object>()

/** Runs an operation's execution with its context reachable by `currentContext()`. */
export function runWithContext<T>(context: object, work: () => T): T {
  return executing.run(context, work)
}

/** The context of the operation this code runs for, if any. */
export function currentContext(): object | undefined {
  return executing.getStore()
}

/** The request scope of the operation this code runs for; outside one, a clear error. */
export function currentScope(what: string): RequestScope {
  const scope = (currentContext() as Partial<PorticoContext> | undefined)?.portico
  if (!scope) throw new Error(`${what} can only be used while a GraphQL operation runs (in a resolver)`)
  return scope
}
