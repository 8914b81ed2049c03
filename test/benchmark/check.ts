/**
 * The data check run before anything is timed: every target answers every operation once, the
 * answers are put in canonical form and compared with the limit server's (plain SQL, the
 * reference), PostGraphile's standing in when the limit server itself failed.
 */
import { diff, type Difference } from './diff.ts'
import type { CanonicalAnswers, OperationName, OperationParams } from './operations.ts'
import { unsupportedReason, type RunningTarget, type TargetName } from './targets/target.ts'

export interface CheckEntry {
  operation: OperationName
  target: TargetName
  /**
   * ok: same data as the reference; differs: see differences; error: no usable answer; skipped:
   * the target cannot do this operation (see reason) and is not sent it.
   */
  status: 'ok' | 'differs' | 'error' | 'reference' | 'skipped'
  error?: string
  /** Why a skipped target takes no part. */
  reason?: string
  differences?: Difference[]
  /** The response text, byte for byte (the load runs expect exactly it on every request). */
  body?: string
  /** Rows in the answer, per level, for the report. */
  size?: string
}

/** Sends one request and returns the response text, failing on a non-200 status. */
export async function fetchText(target: RunningTarget, path: string, body: string, headers?: Record<string, string>): Promise<string> {
  const response = await fetch(target.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(120_000),
  })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 1000)}`)
  return text
}

export function answerSize(operation: OperationName, answer: CanonicalAnswers[OperationName]): string {
  switch (operation) {
    case 'nested': {
      const users = answer as CanonicalAnswers['nested']
      const posts = users.flatMap((u) => u.posts)
      const comments = posts.reduce((n, p) => n + p.comments.length, 0)
      const tags = posts.reduce((n, p) => n + p.tags.length, 0)
      return `${users.length} users, ${posts.length} posts, ${comments} comments, ${tags} tags`
    }
    case 'byIds':
    case 'entities': {
      const rows = answer as CanonicalAnswers['byIds']
      return `${rows.filter((r) => r !== null).length} of ${rows.length} found`
    }
    case 'buckets': {
      const groups = answer as CanonicalAnswers['buckets']
      return `${groups.length} groups of ${groups.reduce((n, g) => n + g.count, 0).toLocaleString('en-US')} readings`
    }
    default:
      return `${(answer as unknown[]).length} rows`
  }
}

export async function checkData(
  targets: RunningTarget[],
  operations: readonly OperationName[],
  params: OperationParams,
): Promise<CheckEntry[]> {
  const entries: CheckEntry[] = []
  for (const operation of operations) {
    const answers = new Map<TargetName, CanonicalAnswers[OperationName]>()
    const row = new Map<TargetName, CheckEntry>()
    for (const target of targets) {
      const definition = target.definition
      const entry: CheckEntry = { operation, target: definition.name, status: 'ok' }
      const reason = unsupportedReason(definition, operation)
      if (reason) {
        row.set(definition.name, { ...entry, status: 'skipped', reason })
        continue
      }
      try {
        const request = definition.request(operation, params[operation])
        entry.body = await fetchText(target, request.path, request.body, request.headers)
        const answer = definition.canonical(operation, JSON.parse(entry.body) as unknown)
        answers.set(definition.name, answer)
        entry.size = answerSize(operation, answer)
      } catch (error) {
        entry.status = 'error'
        entry.error = (error as Error).message
      }
      row.set(definition.name, entry)
    }
    const referenceName = (['limit', 'postgraphile', 'portico', 'portico-auth'] as const).find((name) => answers.has(name))
    const reference = referenceName ? answers.get(referenceName) : undefined
    for (const [name, entry] of row) {
      if (entry.status === 'error' || entry.status === 'skipped') continue
      if (name === referenceName) entry.status = 'reference'
      else {
        const differences = diff(reference, answers.get(name), 20, operation)
        if (differences.length) {
          entry.status = 'differs'
          entry.differences = differences
        }
      }
    }
    entries.push(...row.values())
  }
  return entries
}

/** Human lines for the check: one per operation and target, then each difference. */
export function formatCheck(entries: CheckEntry[], labels: Record<TargetName, string>): string[] {
  const lines: string[] = []
  const reference = (operation: OperationName) => entries.find((e) => e.operation === operation && e.status === 'reference')
  for (const e of entries) {
    const ref = reference(e.operation)
    const label = labels[e.target].padEnd(13)
    const op = e.operation.padEnd(8)
    if (e.status === 'reference') lines.push(`  ${op} ${label} reference (${e.size})`)
    else if (e.status === 'ok') lines.push(`  ${op} ${label} same data (${e.size})`)
    else if (e.status === 'error') lines.push(`  ${op} ${label} FAILED: ${e.error}`)
    else if (e.status === 'skipped') lines.push(`  ${op} ${label} n/a (${e.reason}): not sent`)
    else {
      lines.push(`  ${op} ${label} DIFFERS from ${ref ? labels[ref.target] : 'the reference'} (${e.size}):`)
      for (const d of e.differences ?? []) lines.push(`      ${d.path}: expected ${d.expected}, got ${d.actual}`)
      if ((e.differences?.length ?? 0) >= 20) lines.push('      ... (first 20 differences)')
    }
  }
  return lines
}
