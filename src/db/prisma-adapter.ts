/**
 * Prisma's pg driver adapter over Portico's pool (see ./pool.ts), with the column type fixes
 * applied. With authorization on, a request's Prisma statements must run on the request's own
 * connection, under its role and claims (./request-session.ts): the adapter is given the pool
 * behind a thin router that hands it the request's session instead whenever there is one.
 */
import { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'
import { fixColumnTypes } from './column-type-fixes.js'
import { RequestSession } from './request-session.js'

export function createPrismaAdapter(pool: pg.Pool): PrismaPg {
  const factory = new PrismaPg(sessionRouter(pool))
  const connect = factory.connect.bind(factory)
  factory.connect = async () => fixColumnTypes(await connect())
  return factory
}

/**
 * The pool, except that inside a request session `connect()` (Prisma's transactions) and
 * `query()` (its single statements) use the session. A Proxy, so the adapter still sees a
 * pg.Pool (it checks `instanceof`) with all its other members.
 */
function sessionRouter(pool: pg.Pool): pg.Pool {
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'connect') {
        return (...args: unknown[]) => {
          const session = RequestSession.current()
          return session ? session.prismaTransactionClient() : (target.connect as (...a: unknown[]) => unknown)(...args)
        }
      }
      if (property === 'query') {
        return (config: pg.QueryConfig, values?: unknown[]) => {
          const session = RequestSession.current()
          return session ? session.query((client) => client.query(config, values), { write: true }) : target.query(config, values)
        }
      }
      const value: unknown = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}
