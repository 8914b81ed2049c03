/**
 * The Pothos plugin that lets extensions (./extend.ts) add fields to the types Portico generates.
 *
 * - A field added to a model's type reads its row the plugin-prisma way (`select`): its select is
 *   checked against the model and recorded for the planner (../planner/extension-fields.ts), which
 *   reads it in the operation's own statement. plugin-prisma would otherwise wrap the resolver to
 *   load a parent that lacks the selection through the Prisma client (one more query per row
 *   group, outside Portico's SQL): its `pothosPrismaSelect` is taken away so it leaves the
 *   resolver alone, and this plugin hands the resolver the row as Prisma would (./prisma-row.ts).
 * - A generated root field reads its value by response key when GraphQL executes over a compiled
 *   statement's data (../planner/compile-operation.ts CompiledRoot).
 * - Fields added to other generated types (connections, inputs, PageInfo, ...) are refused:
 *   Portico builds those in SQL and has nothing to give a resolver there.
 *
 * First in the plugin list: it sees each field config after plugin-prisma has, and its resolver
 * wrapper is the outermost.
 */
import SchemaBuilder, { BasePlugin, PothosSchemaError, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core'
import type { GraphQLFieldResolver } from 'graphql'
import type { Datamodel } from '../model/datamodel.js'
import { CompiledRoot } from '../planner/compile-operation.js'
import { rowField, rowFieldOf, rowSelection } from '../planner/extension-fields.js'
import { prismaRow } from './prisma-row.js'

export const EXTENSION_PLUGIN = 'porticoExtensions'

interface ExtensionState {
  datamodel: Datamodel
  /** The types extensions defined: any other type that is not a model's is built by Portico in SQL. */
  extensionTypes: Set<string>
}

const states = new WeakMap<object, ExtensionState>()

/** Tells the plugin of `builder` what it needs to judge extension fields. */
export function trackExtensions(builder: object, state: ExtensionState): void {
  states.set(builder, state)
}

type Extensions = Record<string, unknown> & { porticoExtension?: boolean; portico?: { kind?: string }; pothosPrismaSelect?: unknown; pothosPrismaRelationField?: unknown }

export class PorticoExtensionPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const extensions = (fieldConfig.extensions ?? {}) as Extensions
    const state = states.get(this.builder)
    if (!extensions.porticoExtension || !state) return fieldConfig
    const where = `${fieldConfig.parentType}.${fieldConfig.name}`
    const model = state.datamodel.models.get(fieldConfig.parentType)
    if (model) {
      if (extensions.pothosPrismaRelationField) {
        throw new PothosSchemaError(`${where}: t.relation and t.relatedConnection are not supported on Portico's types; select the relation (select: { ${String((extensions.pothosPrismaRelationField as { name?: string }).name ?? 'relation')}: true }) and return it from resolve`)
      }
      const { pothosPrismaSelect: select, ...rest } = extensions
      if (typeof select === 'function') throw new PothosSchemaError(`${where}: a select written as a function is not supported; give an object`)
      let selection
      try {
        selection = rowSelection(state.datamodel, model, select, where)
      } catch (error) {
        throw new PothosSchemaError((error as Error).message)
      }
      return { ...fieldConfig, extensions: { ...rest, ...rowField({ model: model.name, selection }) } }
    }
    const root = fieldConfig.kind === 'Query' || fieldConfig.kind === 'Mutation' || fieldConfig.kind === 'Subscription'
    if (!root && !state.extensionTypes.has(fieldConfig.parentType)) {
      throw new PothosSchemaError(`${where}: extensions may add fields to the types of tables and views, Query and Mutation, not to ${fieldConfig.parentType}, which Portico builds in SQL`)
    }
    return fieldConfig
  }

  override wrapResolve(resolver: GraphQLFieldResolver<unknown, Types['Context'], object>, fieldConfig: PothosOutputFieldConfig<Types>): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const extensions = (fieldConfig.extensions ?? {}) as Extensions
    const row = rowFieldOf({ extensions })
    const state = states.get(this.builder)
    if (row && state) {
      const model = state.datamodel.models.get(row.model)!
      return (parent, args, context, info) => resolver(prismaRow(state.datamodel, model, parent, info), args, context, info)
    }
    if (fieldConfig.kind === 'Query' && extensions.portico?.kind) {
      return (root, args, context, info) => (root instanceof CompiledRoot ? root.data[info.path.key as string] : resolver(root, args, context, info))
    }
    return resolver
  }
}

SchemaBuilder.registerPlugin(EXTENSION_PLUGIN as never, PorticoExtensionPlugin as never)
