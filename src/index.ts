/**
 * Portico as a library: `import { createPortico } from 'portico'`. The gateway the CLI serves,
 * to mount in an existing Node server, and the types extension authors write against.
 */
export { createPortico, type PorticoInstance, type CreatePorticoOptions } from './portico.js'
export { defineExtension, type PorticoBuilder, type PorticoSchemaTypes, type PorticoScalars, type TypedExtension } from './schema/typed-builder.js'
export type { PorticoApi, PorticoExtension, SqlTag } from './schema/extend.js'
export type { PorticoContext, RequestScope } from './schema/request-context.js'
export type { SqlFragment } from './planner/sql-template.js'
export type { ConfigInput as PorticoConfigInput } from './config/config.js'
