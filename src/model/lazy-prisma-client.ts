/**
 * A Prisma client that can be handed out before `prisma generate` has finished: every call waits
 * for the generated client, then runs on it. Reads never need it (the planner answers them with
 * its own SQL), so a schema change is served as soon as the GraphQL schema is built, and the
 * ~2 s of `prisma generate` delay only a write sent in that window (../serve/schema-watch.ts).
 *
 * What Portico and extensions use of a client: `$transaction`, `$queryRawUnsafe` and the other
 * `$` methods, model delegates (`prisma.film.findMany(...)`), `$on` and `$disconnect`. Their
 * results are plain promises here, not PrismaPromises: Portico never batches them.
 */
import type { PrismaClientLike } from './generate-client.js'

type AnyFunction = (...args: unknown[]) => unknown
type Client = Record<string, unknown> & PrismaClientLike

export function lazyPrismaClient(ready: Promise<PrismaClientLike>): PrismaClientLike {
  const client = ready as Promise<Client>
  const delegates = new Map<string, unknown>()
  const delegate = (model: string) =>
    new Proxy(
      {},
      {
        get: (_, method) =>
          typeof method === 'string' ? (...args: unknown[]) => client.then((c) => ((c[model] as Record<string, AnyFunction>)[method] as AnyFunction)(...args)) : undefined,
      },
    )
  return new Proxy({} as PrismaClientLike, {
    get(_, property) {
      // Not a thenable: `await lazy` must not wait for the client.
      if (typeof property !== 'string' || property === 'then') return undefined
      // A failed generation was reported where it happened; closing needs nothing then.
      if (property === '$disconnect') return () => client.then((c) => c.$disconnect(), () => undefined)
      if (property === '$on') return (...args: unknown[]) => void client.then((c) => (c.$on as AnyFunction)(...args), () => undefined)
      if (property.startsWith('$')) return (...args: unknown[]) => client.then((c) => (c[property] as AnyFunction)(...args))
      let found = delegates.get(property)
      if (!found) delegates.set(property, (found = delegate(property)))
      return found
    },
  })
}
