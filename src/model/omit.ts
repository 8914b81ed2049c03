/**
 * `@omit` smart tags, as PostGraphile reads them: `@omit` alone hides an object from the API;
 * `@omit create,update` only from those actions. Actions:
 * - `read`: not in the API at all (a table or view, a column, a relation, a unique lookup);
 * - `create`, `update`, `delete`: not in that mutation's inputs (a column) or no such mutation (a table);
 * - `filter`, `order`, `aggregate`: not in `where`, `orderBy`, or aggregates and group-by.
 */
import { ModelError } from '../errors.js'
import type { Tags } from '../introspect/smart-tags.js'

export const OMIT_ACTIONS = ['read', 'create', 'update', 'delete', 'filter', 'order', 'aggregate'] as const
export type OmitAction = (typeof OMIT_ACTIONS)[number]

/** The actions `@omit` takes away, for `what` (named in the error for an unknown action). */
export function omittedActions(tags: Tags | undefined, what: string): Set<OmitAction> {
  const values = tags?.omit ?? []
  const actions = new Set<OmitAction>()
  for (const value of values) {
    if (value === true) return new Set(OMIT_ACTIONS)
    for (const action of value.split(',').map((a) => a.trim()).filter(Boolean)) {
      if (!(OMIT_ACTIONS as readonly string[]).includes(action)) {
        throw new ModelError(`${what}: @omit ${action} is not an action; use @omit alone, or some of ${OMIT_ACTIONS.join(', ')}`)
      }
      actions.add(action as OmitAction)
    }
  }
  return actions
}

export const isOmitted = (tags: Tags | undefined, what: string, action: OmitAction = 'read'): boolean => omittedActions(tags, what).has(action)
