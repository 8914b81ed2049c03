/**
 * `JSONFilter`: Prisma's JSON filters, GraphQL-cased, for json and jsonb columns:
 *
 *   where: { metadata: { path: ["color"], equals: "red" } }
 *   where: { metadata: { contains: { draft: false } } }     # jsonb @>, served by a GIN index
 *
 * ../planner/json-filter.ts writes the SQL and says what each operator means.
 */
import type { Builder } from './builder.js'

export const JSON_FILTER = 'JSONFilter'

export function createJsonFilter(builder: Builder): string {
  builder.inputType(JSON_FILTER, {
    description:
      'Conditions on a JSON column, or with `path` on the value at that path (absent: no value); all given conditions must hold.',
    fields: (t: Builder) => ({
      path: t.stringList({
        required: false,
        description: 'Where in the value the other conditions look: object keys and array indexes, e.g. ["sizes", "0"] (PostgreSQL #>).',
      }),
      equals: t.field({ type: 'JSON', required: false, description: 'Equal as JSON (1 equals 1.0; key order does not matter).' }),
      not: t.field({ type: 'JSON', required: false, description: 'A value that is not equal (no value does not match).' }),
      lt: t.field({ type: 'JSON', required: false, description: 'Less than, between values of the same JSON type (numbers as numbers, strings as strings).' }),
      lte: t.field({ type: 'JSON', required: false, description: 'At most, between values of the same JSON type.' }),
      gt: t.field({ type: 'JSON', required: false, description: 'Greater than, between values of the same JSON type.' }),
      gte: t.field({ type: 'JSON', required: false, description: 'At least, between values of the same JSON type.' }),
      stringContains: t.string({ required: false, description: 'A string value containing this text.' }),
      stringStartsWith: t.string({ required: false, description: 'A string value starting with this text.' }),
      stringEndsWith: t.string({ required: false, description: 'A string value ending with this text.' }),
      mode: t.field({ type: 'QueryMode', required: false, description: 'INSENSITIVE makes the string conditions ignore case.' }),
      contains: t.field({
        type: 'JSON',
        required: false,
        description: 'Contains this JSON (PostgreSQL @>): an object its members, an array its elements.',
      }),
      hasKey: t.string({ required: false, description: 'An object with this key, or an array with this string (PostgreSQL ?).' }),
      hasAnyKeys: t.stringList({ required: false, description: 'An object with at least one of these keys (PostgreSQL ?|).' }),
      hasAllKeys: t.stringList({ required: false, description: 'An object with all these keys (PostgreSQL ?&).' }),
      isNull: t.boolean({ required: false, description: 'true: no value (NULL, an absent path or JSON null); false: a value.' }),
    }),
  })
  return JSON_FILTER
}
