/**
 * Extensions: a team's own fields in the API, written with the Pothos builder Portico uses.
 *
 * Each extension is `(builder, portico) => void`, called after Portico has defined its types and
 * before the schema is built. Fields it adds to a table's type read their row data the
 * plugin-prisma way (`select`), in the operation's own statement (./extension-plugin.ts); its root
 * fields (`builder.queryField`, `builder.mutationField`) run beside the generated ones. `portico`
 * gives what a resolver needs to reach the database as the request does: `sql` (parameterised,
 * in the request's session: its role, claims and transaction when auth is on), per-request
 * DataLoaders, generated rows by key shaped for the query (`lookup`), the Prisma client, the
 * logger and the inflection.
 */
import type DataLoader from 'dataloader'
import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql'
import { isObjectType } from 'graphql'
import type { SessionIdentity } from '../db/request-session.js'
import type { SqlRunner } from '../db/sql-runner.js'
import { ExtensionError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Datamodel } from '../model/datamodel.js'
import * as inflection from '../model/inflect.js'
import { extensionMark } from '../planner/extension-fields.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import { compileFragment, fragment, identifier, onlyReads, type SqlFragment } from '../planner/sql-template.js'
import { identityOf } from '../serve/use-auth.js'
import type { Builder } from './builder.js'
import { trackExtensions } from './extension-plugin.js'
import { currentContext, currentScope } from './request-context.js'

/** `sql\`SELECT ... WHERE id = ${id}\``: every value a parameter; resolves to the rows. */
export interface SqlTag {
  <Row = Record<string, unknown>>(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]>
  /** A piece of SQL to interpolate into another, its values still parameters. */
  fragment(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment
  /** A quoted name: identifier('app', 'person') is "app"."person". */
  identifier(...names: string[]): SqlFragment
}

export interface PorticoApi<Client = unknown> {
  /** Parameterised SQL, run in the request's database session (as the caller, in its transaction, when auth is on). */
  sql: SqlTag
  /** The request's DataLoader named `key` (made from `batch` on first use): loads of one request batch together. */
  loader<K, V, C = K>(key: string, batch: DataLoader.BatchLoadFn<K, V>, options?: DataLoader.Options<K, V, C>): DataLoader<K, V, C>
  /**
   * The row of a generated type with this key (`lookup(info, 'Film', { filmId: 1 })`), shaped for
   * what the query selects under the current field, or null: return it from a field of that type.
   * Lookups of one request and shape are one statement.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- planner JSON for the generated type: returned as is, not read
  lookup(info: GraphQLResolveInfo, type: string, key: Record<string, unknown>): Promise<any>
  /** Who the request's database session runs as (auth on), else undefined: the pool's own user. */
  session(): SessionIdentity | undefined
  /** Portico's Prisma client: inside a request its statements join the request's session too. */
  prisma: Client
  logger: Logger
  /** Portico's naming rules (src/model/inflect.ts), to name new fields the way generated ones are. */
  inflection: typeof inflection
}

export type PorticoExtension<B = Builder, Client = unknown> = (builder: B, portico: PorticoApi<Client>) => void

export interface LoadedExtension {
  /** Its file, or `function <name>` for one passed in code: named in errors. */
  source: string
  extend: PorticoExtension
}

export interface ExtensionApiOptions {
  sql: SqlRunner
  planner: ReadPlanner
  prisma: unknown
  logger: Logger
}

export function createExtensionApi({ sql: runner, planner, prisma, logger }: ExtensionApiOptions): PorticoApi {
  const sql = ((strings: TemplateStringsArray, ...values: unknown[]) => {
    const { text, values: params } = compileFragment(fragment(strings, ...values))
    return runner.query(text, params.map(toParameter), { write: !onlyReads(text) })
  }) as SqlTag
  sql.fragment = fragment
  sql.identifier = identifier
  const datamodel = planner.datamodel
  return {
    sql,
    loader: (key, batch, options) => currentScope('portico.loader').loader(key, batch, options),
    lookup(info, typeName, key) {
      const model = datamodel.models.get(typeName)
      const type = info.schema.getType(typeName)
      if (!model || !model.keyName || !isObjectType(type)) throw new Error(`portico.lookup: ${typeName} is not a type with a key`)
      const values = model.key.map((field) => {
        if (key[field] === undefined) throw new Error(`portico.lookup: the key of ${typeName} is ${model.key.join(', ')}; ${field} is missing`)
        return key[field]
      })
      const context = currentContext()
      if (!context) throw new Error('portico.lookup can only be used while a GraphQL operation runs (in a resolver)')
      return planner.byKey(model, values, type as GraphQLObjectType, info, context)
    },
    session: () => identityOf((currentContext() as { request?: Request } | undefined)?.request),
    prisma,
    logger,
    inflection,
  }
}

/** Values pg does not write as PostgreSQL reads them: bigints and Prisma Decimals as their text. */
function toParameter(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'object' && value !== null && value.constructor?.name === 'Decimal') return String(value)
  return value
}

/**
 * Calls each extension with the builder. Fields they add are marked (../planner/extension-fields.ts)
 * by wrapping the builder's `addFields` while they run: every way Pothos adds fields to an
 * existing type (objectField(s), prismaObjectField(s), queryField(s), mutationField(s)) goes through it.
 */
export function applyExtensions(builder: Builder, extensions: LoadedExtension[], api: PorticoApi, datamodel: Datamodel): void {
  if (extensions.length === 0) return
  const store = builder.configStore as {
    addFields: (param: unknown, fields: () => Record<string, unknown>) => void
    addTypeRef: (ref: { onConfig?: (callback: (config: { name: string }) => void) => void }) => void
  }
  // Types the extensions define are theirs to fill; every other type is Portico's (some, like
  // connection types, are only defined when the schema is built).
  const extensionTypes = new Set<string>()
  trackExtensions(builder, { datamodel, extensionTypes })
  const addTypeRef = store.addTypeRef
  store.addTypeRef = (ref) => {
    ref.onConfig?.((config) => extensionTypes.add(config.name))
    return addTypeRef.call(store, ref)
  }
  const addFields = store.addFields
  store.addFields = (param, fields) =>
    addFields.call(store, param, () => {
      const map = fields()
      for (const ref of Object.values(map)) {
        ;(ref as { updateConfig?: (update: (config: { extensions?: object }) => object) => void }).updateConfig?.((config) => ({
          ...config,
          extensions: { ...config.extensions, ...extensionMark() },
        }))
      }
      return map
    })
  try {
    for (const { source, extend } of extensions) {
      let result: unknown
      try {
        result = extend(builder, api)
      } catch (error) {
        throw new ExtensionError(`extension ${source} failed: ${(error as Error).message}`)
      }
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        throw new ExtensionError(`extension ${source} returned a promise: an extension adds to the schema synchronously (load what it needs at module level)`)
      }
    }
  } finally {
    store.addFields = addFields
    store.addTypeRef = addTypeRef
  }
}
