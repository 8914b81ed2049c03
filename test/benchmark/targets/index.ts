/** The three targets, in the order they are reported: Portico first, then its two yardsticks. */
import { limit } from './limit.ts'
import { portico } from './portico.ts'
import { postgraphile } from './postgraphile.ts'
import type { TargetDefinition, TargetName } from './target.ts'

export const TARGETS: Record<TargetName, TargetDefinition> = { portico, postgraphile, limit }
export const TARGET_ORDER: TargetName[] = ['portico', 'postgraphile', 'limit']
