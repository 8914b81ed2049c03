/**
 * Time as PostgreSQL means it, on the project's test database: a `timestamp without time zone` is
 * a wall-clock LocalDateTime (served and taken with no zone), `timestamptz` a UTC DateTime,
 * `timetz` an OffsetTime that keeps its offset, `date` a Date. Served values, filters, lookups,
 * nodeIds, cursors, federation keys, aggregates, group buckets and writes, each compared with
 * PostgreSQL; reads on both execution paths. public.shift is keyed by a timestamp.
 */
import { describe, expect, it } from 'vitest'
import { bothPaths, useProjectDatabase } from './support/project-database.js'

// The comparison SQL runs in a zone with summer time: a wall-clock value must not depend on it.
const project = useProjectDatabase('local_time', { onConnect: (sql) => project.sql.query(`SET TimeZone = 'Europe/Paris'`) })
const rows = (text: string, params: unknown[] = []) => project.rows(text, params)

/** SQL renderings of the served forms. */
const local = (column: string) => `replace(${column}::text, ' ', 'T')`
const offsetTime = (column: string) => `regexp_replace(${column}::text, '([+-][0-9]{2})$', '\\1:00')`
const instant = (column: string) => `replace((${column} AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z'`

const both = (query: string) => bothPaths(project.api, query)

const SHIFTS = `SELECT ${local('starts_at')} AS "startsAt", ${local('ends_at')} AS "endsAt", ${offsetTime('opens_at')} AS "opensAt", label FROM public.shift`

describe('types', () => {
  it('timestamp is LocalDateTime, timestamptz DateTime, timetz OffsetTime, time Time, date Date', () => {
    const fields = (type: string) => Object.fromEntries(Object.entries((project.api.gateway.schema.getType(type) as any).getFields()).map(([k, f]: [string, any]) => [k, String(f.type)]))
    expect(fields('AllType')).toMatchObject({ cTimestamp: 'LocalDateTime', cTimestamptz: 'DateTime', cTimetz: 'OffsetTime', cTime: 'Time', cDate: 'Date' })
    expect(fields('Shift')).toMatchObject({ startsAt: 'LocalDateTime!', endsAt: 'LocalDateTime', opensAt: 'OffsetTime!' })
    expect(fields('ShiftFilter')).toMatchObject({ startsAt: 'LocalDateTimeFilter', opensAt: 'OffsetTimeFilter' })
    expect(fields('ShiftCreateInput')).toMatchObject({ startsAt: 'LocalDateTime!', opensAt: 'OffsetTime!' })
    expect(fields('ShiftGroup')).toEqual({ key: 'ShiftGroupKey!', localBucket: 'LocalDateTime', aggregates: 'ShiftAggregates!' })
    expect(fields('AllTypeGroup')).toMatchObject({ bucket: 'DateTime', localBucket: 'LocalDateTime' })
  })
})

describe('served values', () => {
  it('every temporal type as stored: no zone for a timestamp, the offset for a timetz, infinity as infinity; both paths', async () => {
    const data = await both('shifts { nodes { startsAt endsAt opensAt label } } allTypes { nodes { id cTimestamp cTimetz cTimestamptz cTime cDate } }')
    const shifts = await rows(`${SHIFTS} ORDER BY starts_at`)
    expect(shifts.map((r) => [r.startsAt, r.endsAt, r.opensAt])).toEqual([
      ['2024-03-31T02:30:00.000001', '2024-03-31T04:00:00', '02:30:00+01:00'],
      ['2024-03-31T09:00:00', '2024-03-31T17:00:00', '09:00:00+02:00'],
      ['2024-10-27T02:30:00', null, '02:30:00-04:30'],
      ['2024-12-31T23:59:59.999999', '2025-01-01T08:00:00', '23:59:59.999999+14:00'],
      ['2025-01-01T00:00:00', 'infinity', '00:00:00+00:00'],
    ])
    expect(data.shifts.nodes).toEqual(shifts)
    expect(data.allTypes.nodes).toEqual(
      await rows(`SELECT id, ${local('c_timestamp')} AS "cTimestamp", ${offsetTime('c_timetz')} AS "cTimetz", ${instant('c_timestamptz')} AS "cTimestamptz",
        c_time::text AS "cTime", c_date::text AS "cDate" FROM public.all_types ORDER BY id`),
    )
    expect(data.allTypes.nodes[0]).toMatchObject({ cTimestamp: '2024-02-29T13:45:30.123456', cTimetz: '13:45:30+02:00', cTimestamptz: '2024-02-29T13:45:30.123456Z' })
  })
})

describe('filters compare wall clock with wall clock', () => {
  it.each([
    ['equals, to the microsecond', '{ startsAt: { equals: "2024-03-31T02:30:00.000001" } }', `starts_at = '2024-03-31 02:30:00.000001'`, 1],
    ['a range', '{ startsAt: { gte: "2024-03-31T02:30:00", lt: "2024-10-27T02:30:00.000001" } }', `starts_at >= '2024-03-31 02:30' AND starts_at < '2024-10-27 02:30:00.000001'`, 3],
    ['in, with a space instead of T', '{ startsAt: { in: ["2024-10-27 02:30:00", "2025-01-01T00:00:00"] } }', `starts_at IN ('2024-10-27 02:30', '2025-01-01')`, 2],
    ['infinity', '{ endsAt: { equals: "infinity" } }', `ends_at = 'infinity'`, 1],
    // PostgreSQL's timetz equality: the same instant written with another offset is another value.
    ['a timetz: the same instant with another offset is not equal', '{ opensAt: { equals: "07:00:00+00:00" } }', `opens_at = '07:00:00+00'`, 0],
    ['a timetz with its offset', '{ opensAt: { equals: "09:00:00+02:00" } }', `opens_at = '09:00:00+02'`, 1],
    ['a timetz range', '{ opensAt: { gt: "02:00:00+00:00" } }', `opens_at > '02:00:00+00'`, 3],
  ])('%s', async (_name, where, condition, count) => {
    const data = await both(`shifts(where: ${where}) { nodes { startsAt label } }`)
    expect(data.shifts.nodes).toEqual(await rows(`SELECT ${local('starts_at')} AS "startsAt", label FROM public.shift WHERE ${condition} ORDER BY starts_at`))
    expect(data.shifts.nodes).toHaveLength(count)
  })

  it('a value with a zone or an offset is refused, saying why', async () => {
    for (const value of ['2024-03-31T09:00:00Z', '2024-03-31T09:00:00+02:00']) {
      const result = await project.api.query(`{ shifts(where: { startsAt: { equals: "${value}" } }) { totalCount } }`)
      expect(result.errors?.[0]?.message).toContain(`LocalDateTime cannot represent "${value}": it has no time zone (a timestamp without time zone); leave out the zone or offset, e.g. 2024-03-01T08:30:00`)
      expect(result.data ?? null).toBeNull()
    }
    const bad = await project.api.query('{ shifts(where: { startsAt: { equals: "31/03/2024" } }) { totalCount } }')
    expect(bad.errors?.[0]?.message).toContain('LocalDateTime cannot represent "31/03/2024": use ISO-8601 without a zone, e.g. 2024-03-01T08:30:00')
    const time = await project.api.query('{ shifts(where: { opensAt: { equals: "9 o\'clock" } }) { totalCount } }')
    expect(time.errors?.[0]?.message).toContain('OffsetTime cannot represent')
  })
})

describe('keys of type timestamp', () => {
  it('a lookup by a LocalDateTime key with microseconds, and its nodeId found again; both paths', async () => {
    const data = await both('shift(startsAt: "2024-12-31T23:59:59.999999") { nodeId startsAt opensAt label }')
    expect(data.shift).toMatchObject({ startsAt: '2024-12-31T23:59:59.999999', opensAt: '23:59:59.999999+14:00', label: 'new year' })
    const again = await both(`node(nodeId: "${data.shift.nodeId}") { ... on Shift { startsAt label } }`)
    expect(again.node).toEqual({ startsAt: '2024-12-31T23:59:59.999999', label: 'new year' })
    expect(await project.api.data('{ shift(startsAt: "2024-12-31T23:59:59.99999") { label } }')).toEqual({ shift: null })
  })

  it('keyset pages, forwards and backwards, in key order and in a custom order, cover the rows as SQL orders them', async () => {
    for (const [orderBy, sqlOrder] of [
      ['', 'starts_at'],
      ['orderBy: [{ opensAt: DESC }]', 'opens_at DESC, starts_at'],
      ['orderBy: [{ endsAt: ASC_NULLS_FIRST }]', 'ends_at ASC NULLS FIRST, starts_at'],
    ]) {
      const expected = (await rows(`SELECT ${local('starts_at')} AS "startsAt" FROM public.shift ORDER BY ${sqlOrder}`)).map((r) => r.startsAt)
      for (const direction of ['forward', 'backward'] as const) {
        const seen: string[] = []
        let cursor: string | null = null
        for (let page = 0; page < 10; page++) {
          const window = direction === 'forward' ? `first: 2${cursor ? ` after: "${cursor}"` : ''}` : `last: 2${cursor ? ` before: "${cursor}"` : ''}`
          const data = await project.api.data(`{ shifts(${window} ${orderBy}) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { startsAt } } }`)
          const { nodes, pageInfo } = data.shifts
          const starts = nodes.map((n: { startsAt: string }) => n.startsAt)
          if (direction === 'forward') seen.push(...starts)
          else seen.unshift(...starts)
          if (!(direction === 'forward' ? pageInfo.hasNextPage : pageInfo.hasPreviousPage)) break
          cursor = direction === 'forward' ? pageInfo.endCursor : pageInfo.startCursor
        }
        expect(seen).toEqual(expected)
      }
    }
  })

  it('federation: a representation with a LocalDateTime key finds its row', async () => {
    const representations = [
      { __typename: 'Shift', startsAt: '2024-03-31T02:30:00.000001' },
      { __typename: 'Shift', startsAt: '2024-03-31 09:00:00' },
      { __typename: 'Shift', startsAt: '2000-01-01T00:00:00' },
    ]
    const result = await project.api.query('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Shift { startsAt label } } }', { r: representations })
    expect(result.errors).toBeUndefined()
    expect(result.data._entities).toEqual([
      { startsAt: '2024-03-31T02:30:00.000001', label: 'a wall-clock time Europe/Paris skips' },
      { startsAt: '2024-03-31T09:00:00', label: 'day' },
      null,
    ])
  })
})

describe('aggregates and groups', () => {
  it('min and max keep the type: no zone for a timestamp, the offset for a timetz; both paths', async () => {
    const data = await both('shifts { aggregates { min { startsAt endsAt opensAt } max { startsAt endsAt opensAt } } }')
    const [r] = await rows(`SELECT ${local('min(starts_at)')} AS a, ${local('min(ends_at)')} AS b, ${offsetTime('min(opens_at)')} AS c,
      ${local('max(starts_at)')} AS d, ${local('max(ends_at)')} AS e, ${offsetTime('max(opens_at)')} AS f FROM public.shift`)
    expect(data.shifts.aggregates).toEqual({ min: { startsAt: r.a, endsAt: r.b, opensAt: r.c }, max: { startsAt: r.d, endsAt: r.e, opensAt: r.f } })
    expect(data.shifts.aggregates.max.endsAt).toBe('infinity')
  })

  it('a bucket of a timestamp is a wall-clock time, whatever zone the session is in', async () => {
    const data = await project.api.data('{ shiftsGroupBy(bucket: { column: startsAt, unit: DAY }) { localBucket key { label } aggregates { count } } }')
    expect(project.api.statements).toHaveLength(1)
    const expected = await rows(`SELECT ${local(`date_trunc('day', starts_at)`)} AS b, count(*)::int AS n FROM public.shift GROUP BY 1 ORDER BY 1`)
    expect(data.shiftsGroupBy).toEqual(expected.map((r) => ({ localBucket: r.b, key: { label: null }, aggregates: { count: r.n } })))
    expect(data.shiftsGroupBy[0].localBucket).toBe('2024-03-31T00:00:00')
    const binned = await project.api.data('{ keylessLogsGroupBy(bucket: { column: loggedAt, every: "2 seconds" }) { localBucket aggregates { count } } }')
    const bins = await rows(`SELECT ${local(`date_bin('2 seconds', logged_at, timestamp '2000-01-01')`)} AS b, count(*)::int AS n FROM public.keyless_log GROUP BY 1 ORDER BY 1`)
    expect(binned.keylessLogsGroupBy).toEqual(bins.map((r) => ({ localBucket: r.b, aggregates: { count: r.n } })))
  })

  it('a timestamp or a date takes no time zone; a timestamptz bucket is an instant in the zone asked', async () => {
    const result = await project.api.query('{ shiftsGroupBy(bucket: { column: startsAt, unit: DAY, timeZone: "Europe/Paris" }) { localBucket } }')
    expect(result.errors?.[0]?.message).toBe('bucket.timeZone: startsAt has no time zone (a timestamp without time zone): its buckets are wall-clock times; leave out timeZone')
    const date = await project.api.query('{ allTypesGroupBy(bucket: { column: cDate, unit: MONTH, timeZone: "UTC" }) { localBucket } }')
    expect(date.errors?.[0]?.message).toBe('bucket.timeZone: cDate has no time zone (a date): its buckets are wall-clock times; leave out timeZone')
    const data = await project.api.data(`{ local: allTypesGroupBy(bucket: { column: cTimestamp, unit: HOUR }) { bucket localBucket aggregates { count } }
      instant: allTypesGroupBy(bucket: { column: cTimestamptz, unit: DAY, timeZone: "America/Los_Angeles" }) { bucket localBucket aggregates { count } } }`)
    const locals = await rows(`SELECT ${local(`date_trunc('hour', c_timestamp)`)} AS b, count(*)::int AS n FROM public.all_types GROUP BY 1 ORDER BY 1`)
    expect(data.local).toEqual(locals.map((r) => ({ bucket: null, localBucket: r.b, aggregates: { count: r.n } })))
    const instants = await rows(`SELECT ${instant(`date_trunc('day', c_timestamptz AT TIME ZONE 'America/Los_Angeles') AT TIME ZONE 'America/Los_Angeles'`)} AS b, count(*)::int AS n
      FROM public.all_types GROUP BY date_trunc('day', c_timestamptz AT TIME ZONE 'America/Los_Angeles') ORDER BY 1`)
    expect(data.instant).toEqual(instants.map((r) => ({ bucket: r.b, localBucket: null, aggregates: { count: r.n } })))
  })
})

describe('writes', () => {
  it('create and update round trips: a LocalDateTime key and an OffsetTime keep exactly what was given', async () => {
    const created = await project.api.data(`mutation { createShift(data: { startsAt: "2026-03-29T02:15:00.5", endsAt: "2026-03-29T03:00:00", opensAt: "02:15:00.25-09:30", label: "new" }) {
      nodeId startsAt endsAt opensAt label } }`)
    expect(created.createShift).toMatchObject({ startsAt: '2026-03-29T02:15:00.5', endsAt: '2026-03-29T03:00:00', opensAt: '02:15:00.25-09:30', label: 'new' })
    expect(await rows(`SELECT starts_at::text AS s, ends_at::text AS e, opens_at::text AS o FROM public.shift WHERE label = 'new'`)).toEqual([
      { s: '2026-03-29 02:15:00.5', e: '2026-03-29 03:00:00', o: '02:15:00.25-09:30' },
    ])
    const updated = await project.api.data(`mutation { updateShift(where: { startsAt: "2026-03-29T02:15:00.5" }, data: { startsAt: "2026-03-29 02:45:00", endsAt: "infinity", opensAt: "08:00" }) {
      startsAt endsAt opensAt } }`)
    // An OffsetTime given without an offset is UTC.
    expect(updated.updateShift).toEqual({ startsAt: '2026-03-29T02:45:00', endsAt: 'infinity', opensAt: '08:00:00+00:00' })
    expect(await rows(`SELECT starts_at::text AS s, ends_at::text AS e, opens_at::text AS o FROM public.shift WHERE label = 'new'`)).toEqual([
      { s: '2026-03-29 02:45:00', e: 'infinity', o: '08:00:00+00' },
    ])
    const deleted = await project.api.data(`mutation { deleteShift(where: { startsAt: "2026-03-29T02:45:00" }) { startsAt } }`)
    expect(deleted.deleteShift).toEqual({ startsAt: '2026-03-29T02:45:00' })
    expect(await rows(`SELECT count(*)::int AS n FROM public.shift WHERE label = 'new'`)).toEqual([{ n: 0 }])
  })

  it('updateMany and deleteMany (through Prisma) match the rows the same wall-clock filter lists', async () => {
    // As text: pg would read a timestamp as a JavaScript Date, cut to milliseconds.
    const before = await rows('SELECT starts_at::text, ends_at::text, opens_at::text, label FROM public.shift ORDER BY starts_at')
    try {
      for (const where of ['{ startsAt: { gte: "2024-03-31T02:30:00.000001", lt: "2024-12-31T23:59:59.999999" } }', '{ opensAt: { equals: "09:00:00+02:00" } }', '{ endsAt: { equals: "infinity" } }']) {
        const listed = await project.api.data(`{ shifts(where: ${where}) { totalCount } }`)
        expect(listed.shifts.totalCount).toBeGreaterThan(0)
        const updated = await project.api.data(`mutation { updateManyShift(where: ${where}, data: { label: "matched" }) { count } }`)
        expect(updated.updateManyShift.count).toBe(listed.shifts.totalCount)
      }
      expect(await rows(`SELECT ${local('starts_at')} AS s FROM public.shift WHERE label = 'matched' ORDER BY 1`)).toEqual([
        { s: '2024-03-31T02:30:00.000001' },
        { s: '2024-03-31T09:00:00' },
        { s: '2024-10-27T02:30:00' },
        { s: '2025-01-01T00:00:00' },
      ])
      const deleted = await project.api.data('mutation { deleteManyShift(where: { startsAt: { equals: "2024-03-31 09:00:00" } }) { count } }')
      expect(deleted.deleteManyShift.count).toBe(1)
    } finally {
      await project.sql.query('DELETE FROM public.shift')
      for (const r of before) await project.sql.query('INSERT INTO public.shift VALUES ($1, $2, $3, $4)', [r.starts_at, r.ends_at, r.opens_at, r.label])
      expect(await rows('SELECT starts_at::text, ends_at::text, opens_at::text, label FROM public.shift ORDER BY starts_at')).toEqual(before)
    }
  })

  it('a zone in a written LocalDateTime is refused before anything is written', async () => {
    const result = await project.api.query('mutation { createShift(data: { startsAt: "2026-01-01T00:00:00Z", opensAt: "00:00:00+00:00", label: "zoned" }) { startsAt } }')
    expect(result.errors?.[0]?.message).toContain('LocalDateTime cannot represent "2026-01-01T00:00:00Z": it has no time zone')
    expect(await rows(`SELECT count(*)::int AS n FROM public.shift WHERE label = 'zoned'`)).toEqual([{ n: 0 }])
  })

  it('a keyless table (written by the planner, not Prisma) takes a LocalDateTime as well', async () => {
    const data = await project.api.data('mutation { createKeylessLog(data: { loggedAt: "2024-03-31T02:30:00.123456", level: "info", message: "wall clock" }) { loggedAt } }')
    expect(data.createKeylessLog).toEqual({ loggedAt: '2024-03-31T02:30:00.123456' })
    expect(await rows(`SELECT logged_at::text AS t FROM public.keyless_log WHERE message = 'wall clock'`)).toEqual([{ t: '2024-03-31 02:30:00.123456' }])
    await project.sql.query(`DELETE FROM public.keyless_log WHERE message = 'wall clock'`)
  })
})
