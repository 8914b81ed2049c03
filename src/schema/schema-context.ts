/** What the schema modules share while one GraphQL schema is built. */
import type { PorticoConfig } from '../config/config.js'
import type { Datamodel } from '../model/datamodel.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import type { Builder } from './builder.js'
import type { FilterTypes } from './filters.js'

export interface SchemaContext {
  /** The Prisma client: the mutations write through it (./mutation-fields.ts). */
  prisma: unknown
  builder: Builder
  datamodel: Datamodel
  planner: ReadPlanner
  filters: FilterTypes
  orderTypes: Map<string, string>
  enumRefs: Map<string, unknown>
  pageSizes: Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>
  federation: PorticoConfig['federation']
}
