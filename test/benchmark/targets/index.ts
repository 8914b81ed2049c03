/** The targets, in the order they are reported: Portico (without, then with auth) first, then its two yardsticks. */
import { limit } from './limit.ts'
import { portico } from './portico.ts'
import { porticoAuth } from './portico-auth.ts'
import { postgraphile } from './postgraphile.ts'
import type { TargetDefinition, TargetName } from './target.ts'

export const TARGETS: Record<TargetName, TargetDefinition> = { portico, 'portico-auth': porticoAuth, postgraphile, limit }
export const TARGET_ORDER: TargetName[] = ['portico', 'portico-auth', 'postgraphile', 'limit']
