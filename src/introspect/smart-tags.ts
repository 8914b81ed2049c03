/**
 * Smart tags in database comments, as PostGraphile has them: lines of a comment that start with
 * `@` configure Portico; the other lines are the description.
 *
 *   COMMENT ON TABLE api.iotawatt IS E'@primaryKey device,sensor,timestamp\nPower readings.';
 *
 * A tag may repeat (`@unique a` and `@unique b,c`; several `@foreignKey` lines): every value is
 * kept, in order. The same tags can be given in portico.config.json (`smartTags`), which replace
 * the comment's values of the same tag (./config-tags.ts). What each tag does:
 * - tables, views: `@name`, `@omit [actions]`, `@deprecated reason`, `@primaryKey a,b`,
 *   `@unique a,b`, `@foreignKey (a,b) references schema.table (x,y)`;
 * - columns: `@name`, `@omit [actions]`, `@deprecated reason`, and on a tsvector column
 *   `@textSearchConfig english` (the configuration its full-text searches use);
 * - foreign keys: `@fieldName` (the to-one side), `@foreignFieldName` (the other side), `@omit`;
 * - unique constraints and indexes: `@fieldName` (the root lookup), `@omit`;
 * - functions: `@name`, `@omit`, `@deprecated reason`, and on a computed field `@filterable`,
 *   `@sortable` (../model/functions.ts).
 */
export type TagValue = string | true
export type Tags = Record<string, TagValue[]>

export interface SmartComment {
  description: string | null
  tags: Tags
}

export function parseSmartComment(comment: string | null | undefined): SmartComment {
  const tags: Tags = {}
  const text: string[] = []
  for (const line of (comment ?? '').split(/\r?\n/)) {
    const match = /^@(\w+)(?:\s+(.*))?$/.exec(line.trim())
    if (match) (tags[match[1]!] ??= []).push(match[2]?.trim() || true)
    else text.push(line)
  }
  const description = text.join('\n').trim()
  return { description: description || null, tags }
}

/** The last value of a tag (a later line wins), or undefined. */
export function tagValue(tags: Tags | undefined, name: string): TagValue | undefined {
  const values = tags?.[name]
  return values?.[values.length - 1]
}

/** The tag's last value when it is text (`@name film` -> 'film'); `@name` alone is no name. */
export function tagText(tags: Tags | undefined, name: string): string | undefined {
  const value = tagValue(tags, name)
  return typeof value === 'string' ? value : undefined
}

/** Every text value of a repeatable tag (`@unique`, `@foreignKey`). */
export function tagTexts(tags: Tags | undefined, name: string): string[] {
  return (tags?.[name] ?? []).filter((v): v is string => typeof v === 'string')
}

/** `a, b` -> ['a', 'b'] */
export function columnList(text: string): string[] {
  return text.split(',').map((c) => c.trim()).filter(Boolean)
}
