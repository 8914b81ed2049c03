/**
 * What a GraphQL selection asks of one object type: its fields by response key (alias or name),
 * with fragments spread, @skip/@include applied and the sub-selections of repeated keys merged,
 * as graphql-js itself collects them before it executes.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
  TypeNameMetaFieldDef,
} from 'graphql'

export interface Operation {
  schema: GraphQLSchema
  fragments: Record<string, FragmentDefinitionNode>
  variableValues: Record<string, unknown>
}

export interface SelectedField {
  key: string
  name: string
  nodes: FieldNode[]
  def: GraphQLField<unknown, unknown>
  args: Record<string, unknown>
}

export type Selection = Map<string, SelectedField>

/** The fields selected on `type` under the given field nodes (their selection sets, merged). */
export function selectionOf(op: Operation, type: GraphQLObjectType, nodes: readonly FieldNode[], onSkipped?: (name: string) => void): Selection {
  const found = new Map<string, FieldNode[]>()
  for (const node of nodes) if (node.selectionSet) collect(op, type, node.selectionSet, found, new Set())
  const selection: Selection = new Map()
  const defs = type.getFields()
  for (const [key, fieldNodes] of found) {
    const name = fieldNodes[0]!.name.value
    const def = name === '__typename' ? TypeNameMetaFieldDef : defs[name]
    if (!def) {
      onSkipped?.(name) // __schema, __type: introspection, not data
      continue
    }
    selection.set(key, { key, name, nodes: fieldNodes, def, args: getArgumentValues(def, fieldNodes[0]!, op.variableValues) })
  }
  return selection
}

/** The first node's selection of a field that yields `type`, e.g. `edges` -> `node`. */
export function subSelection(op: Operation, type: GraphQLObjectType, field: SelectedField): Selection {
  return selectionOf(op, type, field.nodes)
}

function collect(op: Operation, type: GraphQLObjectType, set: SelectionSetNode, found: Map<string, FieldNode[]>, visited: Set<string>) {
  for (const selection of set.selections) {
    if (!included(op, selection)) continue
    switch (selection.kind) {
      case Kind.FIELD: {
        const key = selection.alias?.value ?? selection.name.value
        const list = found.get(key)
        if (list) list.push(selection)
        else found.set(key, [selection])
        break
      }
      case Kind.INLINE_FRAGMENT:
        if (!selection.typeCondition || applies(op, selection.typeCondition.name.value, type)) collect(op, type, selection.selectionSet, found, visited)
        break
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value
        const fragment = op.fragments[name]
        if (!fragment || visited.has(name)) continue
        visited.add(name)
        if (applies(op, fragment.typeCondition.name.value, type)) collect(op, type, fragment.selectionSet, found, visited)
        break
      }
    }
  }
}

function included(op: Operation, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, op.variableValues)?.if === true) return false
  return getDirectiveValues(GraphQLIncludeDirective, node, op.variableValues)?.if !== false
}

function applies(op: Operation, condition: string, type: GraphQLObjectType): boolean {
  if (condition === type.name) return true
  const conditionType = op.schema.getType(condition)
  return !!conditionType && isAbstractType(conditionType) && op.schema.isSubType(conditionType, type)
}
