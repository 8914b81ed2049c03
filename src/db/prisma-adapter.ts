/** Prisma's pg driver adapter over Portico's pool (see ./pool.ts), with the column type fixes applied. */
import { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'
import { fixColumnTypes } from './column-type-fixes.js'

export function createPrismaAdapter(pool: pg.Pool): PrismaPg {
  const factory = new PrismaPg(pool)
  const connect = factory.connect.bind(factory)
  factory.connect = async () => fixColumnTypes(await connect())
  return factory
}
