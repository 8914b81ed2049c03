/** Prisma's pg driver adapter over Portico's pool, with the `"char"` and `timetz` fixes applied. */
import { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'
import { fixCharColumns } from './char-column-fix.js'
import { fixTimetz } from './timetz-fix.js'

export function createPrismaAdapter(pool: pg.Pool): PrismaPg {
  fixTimetz(pool)
  const factory = new PrismaPg(pool)
  const connect = factory.connect.bind(factory)
  factory.connect = async () => fixCharColumns(await connect())
  return factory
}
