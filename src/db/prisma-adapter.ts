/** Prisma's pg driver adapter over Portico's pool (see ./pool.ts), with the `"char"` column fix applied. */
import { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'
import { fixCharColumns } from './char-column-fix.js'

export function createPrismaAdapter(pool: pg.Pool): PrismaPg {
  const factory = new PrismaPg(pool)
  const connect = factory.connect.bind(factory)
  factory.connect = async () => fixCharColumns(await connect())
  return factory
}
