/**
 * What every answer to a fuzzed request must be: below 500; JSON (or, for the streaming Accept
 * types, events or parts holding JSON; or empty for 405/406/415, which carry no body); and free
 * of stack traces, file paths, SQL, PostgreSQL's or Prisma's internals and masked internal
 * errors (each of which means a bug). A mutation may only answer null fields or `{ count: 0 }`.
 * Strings the request itself carried are removed first: quoting a value back is not a leak.
 */
export interface Verdict {
  status: number
  body: string
  problems: string[]
}

const LEAKS: [string, RegExp][] = [
  ['a stack trace', /\n\s+at |\bat (async )?[\w$.<>[\] ]+ \((\/|file:|node:)/],
  ['a file path', /\/work\/|node_modules|file:\/\/|\.(ts|js|mjs|cjs):\d+/],
  ['SQL', /\b(json_build_object|jsonb_build_object|json_agg|string_agg|to_json|unnest|coalesce|row_number)\(/],
  ['SQL', /\$\d+::\w|::(text|json|jsonb|numeric|int|bigint|smallint|interval|timestamp)\b/],
  ['SQL', /\bSELECT\b[\s\S]{0,400}\bFROM\b|\bINSERT INTO\b|\bDELETE FROM\b|\bUPDATE "|\bRETURNING\b|\bWHERE \(/],
  ['SQL', /"(app|audit|public)"\."/],
  ['a PostgreSQL internal', /at or near "|bind message|prepared statement|could not determine data type|syntax error at|stack depth limit|current transaction is aborted|\b(column|relation|function|schema) "[^"]*" does not exist|operator does not exist/],
  ['a Prisma internal', /Invalid `|prisma\.\w+\.\w+\(|PrismaClient\w*Error|DriverAdapterError|driverAdapterError|originalCode|\bP20\d\d\b/],
  ['an internal error', /Internal server error|INTERNAL_SERVER_ERROR|Unexpected error/],
]

/** Statuses whose answer may have no body. */
const BODILESS = new Set([204, 405, 406, 413, 415])

export async function judge(response: Response, sent: Set<string>, mutation: boolean): Promise<Verdict> {
  const status = response.status
  const body = await response.text()
  const problems: string[] = []
  if (status >= 500) problems.push(`status ${status}`)
  const type = response.headers.get('content-type') ?? ''
  const payloads: unknown[] = []
  try {
    if (/json/.test(type)) payloads.push(JSON.parse(body))
    // Only CR and LF end an event-stream line (a JS regex's ^ and $ would also split at U+2028).
    else if (type.startsWith('text/event-stream')) for (const line of body.split(/\r\n|\r|\n/)) line.startsWith('data: ') && payloads.push(JSON.parse(line.slice(6)))
    else if (type.startsWith('multipart/mixed')) for (const [, part] of body.matchAll(/\r?\n\r?\n(\{[\s\S]*?\})\r?\n---/g)) payloads.push(JSON.parse(part!))
    else if (body.length || !BODILESS.has(status)) problems.push(`a body that is not JSON (content-type "${type}")`)
  } catch {
    problems.push(`a body that does not parse as ${type}`)
  }
  const text = strip(payloads.map(textOf).join('\n'), sent)
  for (const [what, pattern] of LEAKS) {
    const found = pattern.exec(text)
    if (found) problems.push(`${what}: …${text.slice(Math.max(0, found.index - 60), found.index + 100)}…`)
  }
  if (mutation) for (const payload of payloads) problems.push(...wrote(payload))
  return { status, body, problems }
}

/**
 * Every string of a JSON value, keys included, decoded (so escapes do not hide anything). Yoga
 * quotes the start of a body that is not JSON in its SyntaxError's message: that is the client's
 * own text, not scanned.
 */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(textOf).join('\n')
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([k]) => !(k === 'message' && (value as { name?: unknown }).name === 'SyntaxError'))
    return entries.map(([k, v]) => `${k}\n${textOf(v)}`).join('\n')
  }
  return String(value)
}

/** The text without the strings the request carried, in any of the forms an error quotes them. */
function strip(text: string, sent: Set<string>): string {
  const forms = new Set<string>()
  const add = (s: string) => {
    if (s.length < 3) return
    forms.add(s)
    forms.add(JSON.stringify(s).slice(1, -1))
  }
  for (const s of sent) {
    add(s)
    // A nodeId or cursor is base64: the server may quote what it decodes to (`Person:<key>`, `K:[...]`).
    if (!/^[A-Za-z0-9+/]{4,}={0,2}$/.test(s)) continue
    const decoded = Buffer.from(s, 'base64').toString('utf8')
    const rest = decoded.slice(decoded.indexOf(':') + 1)
    add(decoded)
    add(rest)
    try {
      const parts: unknown = JSON.parse(rest)
      if (Array.isArray(parts)) for (const part of parts) if (typeof part === 'string') add(part)
    } catch {
      // not a compound key
    }
  }
  let result = text
  for (const form of [...forms].sort((a, b) => b.length - a.length)) if (result.includes(form)) result = result.split(form).join('\u2591')
  return result
}

/** `{ count: 0 }`, or an AffectedRows that did not ask for its count (the table checksums tell). */
function isNoRows(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  // Under any aliases: every count 0, every __typename AffectedRows.
  return Object.values(value).every((v) => v === 0 || v === 'AffectedRows')
}

/** A mutation field that answered something other than null or `{ count: 0 }` wrote a row. */
function wrote(payload: unknown): string[] {
  const data = (payload as { data?: Record<string, unknown> | null })?.data
  if (!data) return []
  return Object.entries(data)
    .filter(([key, value]) => key !== '__typename' && value !== null && !isNoRows(value))
    .map(([key, value]) => `the mutation ${key} succeeded: ${JSON.stringify(value).slice(0, 200)}`)
}
