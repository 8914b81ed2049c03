/**
 * Smart tags in database comments, as PostGraphile has them: lines of a comment that start with
 * `@` configure Portico; the other lines are the description.
 *
 *   COMMENT ON TABLE api.iotawatt IS E'@primaryKey device,sensor,timestamp\nPower readings.';
 *
 * Supported: `@primaryKey col1,col2` (declare a key for a keyless table or view), `@omit` (keep
 * a table or view out of the API) and, on a tsvector column, `@textSearchConfig english` (the
 * configuration its full-text searches use). Other tags are kept out of descriptions and do nothing yet.
 */
export interface SmartComment {
  description: string | null
  tags: Record<string, string | true>
}

export function parseSmartComment(comment: string | null | undefined): SmartComment {
  const tags: Record<string, string | true> = {}
  const text: string[] = []
  for (const line of (comment ?? '').split(/\r?\n/)) {
    const match = /^@(\w+)(?:\s+(.*))?$/.exec(line.trim())
    if (match) tags[match[1]!] = match[2]?.trim() || true
    else text.push(line)
  }
  const description = text.join('\n').trim()
  return { description: description || null, tags }
}
