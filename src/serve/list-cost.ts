/**
 * The cost of an operation, counted in the rows and values it can make Portico read: every field
 * costs 1, and a list of objects costs its length times the cost of one item, so nested pages
 * multiply (50 users x 10 posts x 10 comments is 5,000 comments, however few fields each has).
 *
 *   cost(field) = 1 + length x cost(selection)      for a list of objects
 *   cost(field) = 1 + cost(selection)               for an object (a connection, a to-one row)
 *   cost(field) = 1                                  for a leaf (a column, even an array one)
 *
 * A list's length is the most it can hold: a connection's `first`/`last` (else defaultPageSize),
 * counted on its `edges` and `nodes` (not on `totalCount`, `pageInfo` or `aggregates`, one
 * subquery each); a `<list>GroupBy` its `first`; a list with a list argument
 * (`_entities(representations:)`) that argument's length; any other list of objects (a relation
 * to a keyless table) a full page. A page beyond maxPageSize (or the group limit) counts as that
 * limit: the planner refuses it with an error naming the limit, which is what the caller should
 * see rather than a cost error.
 * Variables are resolved, @skip/@include honoured, fragments counted where they apply and fields
 * merged by response key as execution merges them (a field two fragments ask for counts once); an
 * interface or union counts as its costliest possible type. Introspection (`__schema`, `__type`,
 * `__typename`) costs nothing: it reads no rows.
 */
import {
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isListType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import { GROUPS_PER_PAGE_FACTOR } from '../planner/compile-group-by.js'
import { rootSourceOf, sourceOf } from '../planner/field-source.js'

export type PageSizes = Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>

/**
 * The cost of the operation a request runs, or undefined when there is no single operation to
 * run or its variables do not fit their types: execution refuses those itself, before any SQL.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
  sizes: PageSizes,
): number | undefined {
  const operation = getOperationAST(document, operationName)
  if (!operation) return undefined
  const root = schema.getRootType(operation.operation)
  if (!root) return undefined
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {}, { maxErrors: 1 })
  if (variables.errors) return undefined
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  }
  return new CostCounter(schema, fragments, variables.coerced, sizes).selectionCost(root, [operation.selectionSet], undefined)
}

class CostCounter {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly sizes: PageSizes,
  ) {}

  /**
   * The cost of one item of `type` with these selections. `page`: the page size of the connection
   * they belong to (its `edges` and `nodes` hold that many). An item of an interface or union is of
   * one type: the costliest is the most one item can cost.
   */
  selectionCost(type: GraphQLCompositeType, sets: readonly SelectionSetNode[], page: number | undefined): number {
    const types = isAbstractType(type) ? this.schema.getPossibleTypes(type) : [type]
    let most = 0
    for (const possible of types) {
      let cost = 0
      for (const nodes of this.collect(possible, sets).values()) cost += this.fieldCost(possible, nodes, page)
      most = Math.max(most, cost)
    }
    return most
  }

  /** One response key's field (its nodes merged, as execution merges them). */
  private fieldCost(parent: GraphQLObjectType, nodes: FieldNode[], page: number | undefined): number {
    const node = nodes[0]!
    if (node.name.value.startsWith('__')) return 0
    const def = parent.getFields()[node.name.value]
    if (!def) return 0
    const named = getNamedType(def.type)
    if (!isCompositeType(named)) return 1
    const sets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []))
    const length = isListType(getNullableType(def.type)) ? this.listLength(def, node, page) : 1
    return 1 + length * this.selectionCost(named, sets, this.connectionPage(def, node))
  }

  /**
   * The fields selected on an object of `type`, by response key, as graphql-js collects them for
   * execution: fragments where their type condition applies, each spread once, @skip/@include
   * applied. Fields asked twice (two fragments, say) are read once, so they count once.
   */
  private collect(type: GraphQLObjectType, sets: readonly SelectionSetNode[], fields = new Map<string, FieldNode[]>(), spread = new Set<string>()) {
    for (const set of sets) {
      for (const selection of set.selections) {
        if (!this.included(selection)) continue
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value
          fields.set(key, [...(fields.get(key) ?? []), selection])
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.applies(selection.typeCondition?.name.value, type)) this.collect(type, [selection.selectionSet], fields, spread)
        } else if (!spread.has(selection.name.value)) {
          spread.add(selection.name.value)
          const fragment = this.fragments.get(selection.name.value)
          if (fragment && this.applies(fragment.typeCondition.name.value, type)) this.collect(type, [fragment.selectionSet], fields, spread)
        }
      }
    }
    return fields
  }

  /** A connection's page size: what its `edges` and `nodes` hold; undefined for other fields. */
  private connectionPage(def: GraphQLField<unknown, unknown>, node: FieldNode): number | undefined {
    const kind = rootSourceOf(def)?.kind ?? sourceOf(def)?.kind
    const isConnection = kind === 'rootList' || kind === 'connection' || kind === 'manyToMany'
    // Fields Portico did not build, and functions' fields: one paged by first/last that returns one object is a connection too.
    const looksLikeOne = (kind === undefined || kind === 'function' || kind === 'computed') && !isListType(getNullableType(def.type)) && def.args.some((a) => a.name === 'first' || a.name === 'last')
    if (!isConnection && !looksLikeOne) return undefined
    const asked = this.intArgument(def, node, 'first') ?? this.intArgument(def, node, 'last')
    return clamp(asked ?? this.sizes.defaultPageSize, this.sizes.maxPageSize)
  }

  private listLength(def: GraphQLField<unknown, unknown>, node: FieldNode, page: number | undefined): number {
    if (rootSourceOf(def)?.kind === 'groupBy') {
      const most = this.sizes.maxPageSize * GROUPS_PER_PAGE_FACTOR
      return clamp(this.intArgument(def, node, 'first') ?? most, most)
    }
    if (page !== undefined) return page
    let longest: number | undefined
    for (const arg of node.arguments ?? []) {
      const argDef = def.args.find((a) => a.name === arg.name.value)
      const value = argDef && isListType(getNullableType(argDef.type)) ? valueFromAST(arg.value, argDef.type, this.variables) : undefined
      if (Array.isArray(value)) longest = Math.max(longest ?? 0, value.length)
    }
    return longest ?? this.sizes.maxPageSize
  }

  private intArgument(def: GraphQLField<unknown, unknown>, node: FieldNode, name: string): number | undefined {
    const argDef = def.args.find((a) => a.name === name)
    const arg = node.arguments?.find((a) => a.name.value === name)
    if (!argDef || !arg) return undefined
    const value: unknown = valueFromAST(arg.value, argDef.type, this.variables)
    return typeof value === 'number' ? value : undefined
  }

  private included(selection: SelectionNode): boolean {
    if (!selection.directives?.length) return true
    if (getDirectiveValues(GraphQLSkipDirective, selection, this.variables)?.if === true) return false
    return getDirectiveValues(GraphQLIncludeDirective, selection, this.variables)?.if !== false
  }

  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (condition === undefined || condition === type.name) return true
    const conditionType = this.schema.getType(condition)
    return conditionType !== undefined && isAbstractType(conditionType) && this.schema.isSubType(conditionType, type)
  }
}

/** A page size as far as cost goes: at most `max`, never negative (the planner refuses both beyond). */
function clamp(size: number, max: number): number {
  return Math.max(0, Math.min(size, max))
}
