/**
 * The Subscription type: per table with a key, `<type>Changed(where:, ops:)`, a stream of
 * `<Type>Change { op node nodeId }` (row events from the change triggers, rows re-read as the
 * subscriber); and `published(topic:)`, application events that extension code publishes, for the
 * topics the config lists. Where the events come from is ../live/'s business: the schema only
 * declares the fields and hands each subscription to `SubscriptionSources`.
 */
import { getNamedType, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import type { ModelInfo } from '../model/datamodel.js'
import { hasRowEvents } from '../model/check-names.js'
import { subscriptionName } from '../model/inflect.js'
import { byResponseKey } from './resolve-by-key.js'

export interface RowEventRequest {
  model: ModelInfo
  eventType: GraphQLObjectType
  info: GraphQLResolveInfo
  where: unknown
  ops: string[]
  context: object
}

/** What the schema's subscriptions read from (../live/live.ts implements it). */
export interface SubscriptionSources {
  /** Topics clients may subscribe to with `published(topic:)`. */
  topics: string[]
  rowEvents(request: RowEventRequest): AsyncIterable<unknown>
  published(topic: string, context: object): AsyncIterable<unknown>
}

/** An event as resolved: `$op`, `$nodeId`, and each selected `node` under its response key. */
export interface RowEvent {
  $op: string
  $nodeId: string | null
  [responseKey: string]: unknown
}

export const ROW_EVENT_OPS = ['INSERT', 'UPDATE', 'DELETE'] as const

export function createSubscriptionFields(ctx: SchemaContext, sources: SubscriptionSources): void {
  const models = [...ctx.datamodel.models.values()].filter(hasRowEvents)
  if (models.length === 0 && sources.topics.length === 0) return
  const { builder } = ctx
  const opEnum = builder.enumType(subscriptionName.operationEnum, {
    description: 'What happened to a row. RESYNC: events may have been missed (the server lost its connection to the database for a moment); read again what you show.',
    values: {
      INSERT: { description: 'The row was inserted.' },
      UPDATE: { description: 'The row was updated (for a changed key: the row under its new key).' },
      DELETE: { description: 'The row was deleted: only nodeId is given.' },
      RESYNC: { description: 'Events may have been missed: no row is given.' },
    },
  })
  for (const model of models) {
    builder.objectType(subscriptionName.changeType(model.name), {
      description: `A change to a ${model.name} row.`,
      fields: (t: Builder) => ({
        op: t.field({ type: opEnum, resolve: (event: RowEvent) => event.$op }),
        node: t.field({
          type: model.name,
          nullable: true,
          description: 'The row as it is now, as the subscriber may see it (null for DELETE and RESYNC).',
          resolve: byResponseKey,
        }),
        nodeId: t.id({ nullable: true, description: "The row's global id (null for RESYNC).", resolve: (event: RowEvent) => event.$nodeId }),
      }),
    })
  }
  builder.subscriptionType({
    fields: (t: Builder) => {
      const fields: Record<string, unknown> = {}
      for (const model of models) {
        fields[subscriptionName.changed(model.name)] = t.field({
          type: subscriptionName.changeType(model.name),
          description: `Inserts, updates and deletes of ${model.name} rows, by any client, as they commit (the table's change triggers must be installed: portico triggers install).`,
          args: {
            where: t.arg({ type: ctx.filters.where.get(model.name), required: false, description: 'Only rows matching these conditions (not applied to deletes: the row is gone).' }),
            ops: t.arg({ type: [opEnum], required: false, defaultValue: [...ROW_EVENT_OPS], description: 'Only these operations (RESYNC is always delivered).' }),
          },
          subscribe: (_root: unknown, args: { where?: unknown; ops?: string[] }, context: object, info: GraphQLResolveInfo) =>
            sources.rowEvents({ model, eventType: getNamedType(info.returnType) as GraphQLObjectType, info, where: args.where, ops: args.ops ?? [...ROW_EVENT_OPS], context }),
          resolve: passOrThrow,
        })
      }
      if (sources.topics.length > 0) {
        fields[subscriptionName.published] = t.field({
          type: 'JSON',
          description: `Events that server extensions publish (portico.publish), on one topic: ${sources.topics.join(', ')}.`,
          args: { topic: t.arg.string({ required: true }) },
          subscribe: (_root: unknown, args: { topic: string }, context: object) => sources.published(args.topic, context),
          resolve: passOrThrow,
        })
      }
      return fields
    },
  })
}

/** A stream's last item is an error when its subscriber fell behind (SLOW_CONSUMER): thrown, it ends the stream with it. */
function passOrThrow(item: unknown): unknown {
  if (item instanceof Error) throw item
  return item
}
