/**
 * The benchmark's operations (issue 3), their parameters for a dataset scale, and the canonical
 * form of their answers: each target's response is mapped to it, so targets that name and shape
 * things differently (PostGraphile's `allPosts`, `rowId`, `userByAuthorId`) can be compared.
 */
import type { Scale } from './dataset.ts'
import { DEVICES, READINGS_START } from './dataset.ts'

export const OPERATION_NAMES = ['list', 'nested', 'iot', 'byIds', 'entities', 'buckets'] as const
export type OperationName = (typeof OPERATION_NAMES)[number]

export interface OperationParams {
  /** list: the first `posts` posts in key order. */
  list: { first: number }
  /** nested: the first `users` users, their first `posts` posts, each with its first `comments` comments and its tags. */
  nested: { users: number; posts: number; comments: number }
  /** iot: the newest `first` readings of `device`, ties broken by sensor. */
  iot: { device: string; first: number }
  /** byIds: these posts, in this order, in one request. */
  byIds: { ids: number[] }
  /**
   * entities: the same posts as byIds, as Apollo Federation representations through Portico's
   * `_entities` (in representation order, null for an unknown id). PostGraphile and the limit
   * server have no `_entities`: they are sent their byIds request (withoutEntities).
   */
  entities: { ids: number[] }
  /**
   * buckets: api.iotawatt's readings with `from` <= timestamp < `to` (one UTC day), grouped by
   * device, sensor and UTC hour: count, average and maximum power per group, ordered by hour,
   * device, sensor. Portico: `iotawattsGroupBy`; the limit server: one GROUP BY; PostGraphile's
   * amber preset has no group-by, so it takes no part.
   */
  buckets: { from: string; to: string }
}

export const DESCRIPTIONS: Record<OperationName, string> = {
  list: 'first 100 posts: id, title, createdAt',
  nested: '50 users > 10 posts > 10 comments (+ author name) and tags',
  iot: 'newest 1,000 readings of one device',
  byIds: '100 posts by id in one request',
  entities: "100 posts by id through Portico's _entities (PostGraphile, limit server: their byIds request)",
  buckets: 'avg and max power per device, sensor and hour over one day of api.iotawatt (PostGraphile: no group-by)',
}

/** Operations timed one request at a time as well (no concurrency): the mean latency of a single request. */
export const SEQUENTIAL_OPERATIONS: readonly OperationName[] = ['buckets']

/**
 * The operation whose request a target without Apollo Federation (PostGraphile, the limit server)
 * sends for `operation`: its byIds request for `entities`, so the same 100 posts, and the same
 * canonical answer, stand in for `_entities`.
 */
export function withoutEntities<O extends OperationName>(operation: O): Exclude<OperationName, 'entities'> {
  return (operation === 'entities' ? 'byIds' : operation) as Exclude<OperationName, 'entities'>
}

export function operationParams(scale: Scale): OperationParams {
  // 100 distinct ids scattered over the table: 7919 is prime and shares no factor with the post
  // counts used (10^5, 10^4, 10^3), so k * 7919 mod posts never repeats for k < posts.
  const ids = Array.from({ length: 100 }, (_, k) => 1 + (((k + 1) * 7919) % scale.posts))
  // buckets: the second day of readings when the dataset covers it in full (full: 34.7 days,
  // quick: 3.5 days; 1,440 readings per device and sensor, 480 groups), else the first (smoke:
  // 250 minutes, so 5 hours of it: 100 groups).
  const DAY_MS = 86_400_000
  const dayStart = READINGS_START.getTime() + (scale.minutes >= 2 * 1440 ? DAY_MS : 0)
  const utc = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
  return {
    list: { first: 100 },
    nested: { users: 50, posts: 10, comments: 10 },
    iot: { device: DEVICES[0], first: 1000 },
    byIds: { ids },
    entities: { ids },
    buckets: { from: utc(dayStart), to: utc(dayStart + DAY_MS) },
  }
}

// ---- canonical answers ----

export interface CanonicalPost {
  id: number
  title: string
  createdAt: string
}
export interface CanonicalNestedUser {
  id: number
  name: string
  posts: { id: number; title: string; comments: { id: number; body: string; authorName: string }[]; tags: string[] }[]
}
export interface CanonicalReading {
  timestamp: string
  sensor: string
  power: number | null
  pf: number | null
  current: number | null
  v: number | null
}
/** One group of `buckets`: a device and sensor in one hour (the bucket's start, as an instant). */
export interface CanonicalBucket {
  bucket: string
  device: string
  sensor: string
  count: number
  avgPower: number | null
  maxPower: number | null
}
export type CanonicalByIds = ({ id: number; title: string; status: string; createdAt: string } | null)[]

export interface CanonicalAnswers {
  list: CanonicalPost[]
  nested: CanonicalNestedUser[]
  iot: CanonicalReading[]
  byIds: CanonicalByIds
  entities: CanonicalByIds
  buckets: CanonicalBucket[]
}

/**
 * A timestamp as an instant, written one way: UTC, six fractional digits. Portico writes
 * `2024-01-01T00:05:17.1234Z`, PostGraphile `2024-01-01T00:05:17.1234+00:00`; both mean the same
 * microsecond. Parsed by hand, because a JavaScript Date would drop the microseconds.
 */
export function instant(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`expected a timestamp string, got ${JSON.stringify(value)}`)
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(value)
  if (!m) throw new Error(`not an ISO-8601 timestamp with a zone: ${value}`)
  const [, y, mo, d, h, mi, s, fraction = '', zone] = m as unknown as string[]
  let offsetMinutes = 0
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'))
  }
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000
  const micros = fraction.padEnd(6, '0')
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`
}

/** A field that must be there and be a number (floats are compared exactly, not rounded). */
export function num(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new Error(`${what}: expected a number, got ${JSON.stringify(value)}`)
  return value
}

export function numOrNull(value: unknown, what: string): number | null {
  return value === null ? null : num(value, what)
}

export function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`)
  return value
}

/** An array field, failing clearly when a target answered null or something else. */
export function arr(value: unknown, what: string): any[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list, got ${JSON.stringify(value)?.slice(0, 200)}`)
  return value
}
