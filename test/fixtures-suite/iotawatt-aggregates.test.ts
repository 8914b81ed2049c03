/**
 * Aggregates and time buckets on the reference database (api.iotawatt, 103,680 readings, no
 * primary key), compared with the SQL a person would write: date_trunc/date_bin with avg, max,
 * sum. Floats must be equal exactly, not approximately: sums and averages of floats are exact
 * sums rounded once (in numeric), so they do not depend on the order the plan reads rows in.
 * Each query is one statement.
 */
import { describe, expect, it } from 'vitest'
import { as, useFixture } from './fixture.js'

const fx = useFixture('iotawatt', { schemas: ['api'], primaryKeys: { 'api.iotawatt': ['device', 'sensor', 'timestamp'] }, maxPageSize: 100 })

async function one(query: string) {
  const data = await fx.api.data(query)
  expect(fx.api.statements, 'one statement').toHaveLength(1)
  return data
}

describe('time buckets', () => {
  it('average and maximum power per device and sensor per hour over one day equal date_trunc with avg and max', async () => {
    const data = await one(`{ iotawattsGroupBy(by: [device, sensor], bucket: { column: timestamp, unit: HOUR, timeZone: "UTC" },
        where: { timestamp: { gte: "2024-03-01T00:00:00Z", lt: "2024-03-02T00:00:00Z" } }) {
      key { device sensor } bucket aggregates { count avg { power } max { power } } } }`)
    const rows = await fx.rows(`SELECT device, sensor, ${as.timestamptz("date_trunc('hour', \"timestamp\")")} AS bucket,
        count(*)::int AS count, avg(power::numeric)::float8 AS avg, max(power) AS max
      FROM api.iotawatt WHERE "timestamp" >= '2024-03-01T00:00:00Z' AND "timestamp" < '2024-03-02T00:00:00Z'
      GROUP BY 1, 2, 3 ORDER BY 3, 1, 2`)
    expect(rows.length).toBeGreaterThan(100)
    expect(data.iotawattsGroupBy).toEqual(
      rows.slice(0, 1000).map((r: any) => ({ key: { device: r.device, sensor: r.sensor }, bucket: r.bucket, aggregates: { count: r.count, avg: { power: r.avg }, max: { power: r.max } } })),
    )
  })

  it('daily energy per device (sum of power per day) equals date_trunc with sum, in a time zone', async () => {
    const data = await one(`{ iotawattsGroupBy(by: [device], bucket: { column: timestamp, unit: DAY, timeZone: "Europe/Paris" }) {
      key { device } bucket aggregates { sum { power } } } }`)
    const rows = await fx.rows(`SELECT device, ${as.timestamptz("date_trunc('day', \"timestamp\" AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'Europe/Paris'")} AS bucket, sum(power::numeric)::float8 AS sum
      FROM api.iotawatt GROUP BY 1, 2 ORDER BY 2, 1`)
    expect(data.iotawattsGroupBy).toEqual(rows.map((r: any) => ({ key: { device: r.device }, bucket: r.bucket, aggregates: { sum: { power: r.sum } } })))
  })

  it('every "15 minutes" equals date_bin, and having/orderBy/first pick the busiest buckets', async () => {
    const data = await one(`{ iotawattsGroupBy(bucket: { column: timestamp, every: "15 minutes" }, having: { avg: { power: { gt: 1000 } } },
        orderBy: [{ max: { power: DESC } }], first: 5) { bucket aggregates { max { power } avg { power } } } }`)
    const rows = await fx.rows(`SELECT ${as.timestamptz("date_bin('15 minutes', \"timestamp\", timestamptz '2000-01-01 00:00:00+00')")} AS bucket, max(power) AS max, avg(power::numeric)::float8 AS avg
      FROM api.iotawatt GROUP BY 1 HAVING avg(power::numeric) > 1000 ORDER BY 2 DESC, 1 LIMIT 5`)
    expect(data.iotawattsGroupBy).toEqual(rows.map((r: any) => ({ bucket: r.bucket, aggregates: { max: { power: r.max }, avg: { power: r.avg } } })))
  })

  it('asking for neither columns nor a bucket, or for both unit and every, is a clear error', async () => {
    const none = await fx.api.query('{ iotawattsGroupBy { aggregates { count } } }')
    expect(none.errors?.[0]?.message).toBe('Give `by` (columns), `bucket` (a time bucket), or both.')
    const both = await fx.api.query('{ iotawattsGroupBy(bucket: { column: timestamp, unit: HOUR, every: "1 hour" }) { aggregates { count } } }')
    expect(both.errors?.[0]?.message).toBe('A bucket takes either `unit` or `every`.')
  })
})

describe('aggregates on a list', () => {
  it('count, sum, avg, min and max over every row the where matches, not just the page', async () => {
    const data = await one(`{ iotawatts(first: 1, where: { device: { equals: "iotawatt-house" }, sensor: { equals: "hvac" } }) {
      totalCount aggregates { count sum { power } avg { pf } min { timestamp power } max { timestamp v } } } }`)
    const [r] = await fx.rows(`SELECT count(*)::int AS count, sum(power::numeric)::float8 AS sum, avg(pf::numeric)::float8 AS avg, ${as.timestamptz('min("timestamp")')} AS min_ts, min(power) AS min_power,
        ${as.timestamptz('max("timestamp")')} AS max_ts, max(v) AS max_v FROM api.iotawatt WHERE device = 'iotawatt-house' AND sensor = 'hvac'`)
    expect(data.iotawatts).toEqual({
      totalCount: r.count,
      aggregates: { count: r.count, sum: { power: r.sum }, avg: { pf: r.avg }, min: { timestamp: r.min_ts, power: r.min_power }, max: { timestamp: r.max_ts, v: r.max_v } },
    })
  })
})
