/**
 * The iotawatt functions (src/db/demo-database.ts, IOTAWATT_FUNCTIONS_SQL, which the demo has
 * too), added to this file's copy of the iotawatt fixture (103,680 readings, one every 10 s per
 * sensor): `deviceEnergyKwh` (a root query: kWh = sum(power * seconds until the sensor's next
 * reading) / 3.6e6) and `Iotawatt.apparentPower` (a computed field, filterable and sortable).
 * Each answer equals the SQL call's; the energy is also checked against the formula worked out
 * by hand for whole 10-second steps.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { IOTAWATT_FUNCTIONS_SQL } from '../../src/db/demo-database.js'
import type { TestGateway } from '../support/gateway.js'
import { as, useFixture } from './fixture.js'

const KEY = { 'api.iotawatt': ['device', 'sensor', 'timestamp'] }
const fx = useFixture('iotawatt', { schemas: ['api'], primaryKeys: KEY })
let api: TestGateway

beforeAll(async () => {
  await fx.sql.query(IOTAWATT_FUNCTIONS_SQL)
  // Functions are read at start: a gateway started after they exist.
  api = await fx.gateway({ schemas: ['api'], primaryKeys: KEY })
})

describe('deviceEnergyKwh', () => {
  const windows: [string, string, string, string[] | null][] = [
    ['iotawatt-house', '2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z', null],
    ['iotawatt-shop', '2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z', null],
    ['iotawatt-house', '2024-03-01T01:00:00Z', '2024-03-01T05:00:00Z', ['ev_charger']],
    ['iotawatt-shop', '2024-03-01T12:00:05Z', '2024-03-01T12:30:00Z', ['mains', 'lighting']],
    ['iotawatt-house', '2024-03-05T00:00:00Z', '2024-03-06T00:00:00Z', null],
  ]

  it('answers as the SQL call does, for whole days, hours, some sensors and a window without readings, in one statement', async () => {
    const fields = windows.map(([device, from, to, sensors], i) => `w${i}: deviceEnergyKwh(deviceName: "${device}", fromTime: "${from}", toTime: "${to}"${sensors ? `, sensors: ${JSON.stringify(sensors)}` : ''})`)
    const data = await api.data(`{ ${fields.join(' ')} }`)
    expect(api.statements).toHaveLength(1)
    const expected: Record<string, number> = {}
    for (const [i, [device, from, to, sensors]] of windows.entries()) {
      const [row] = await fx.rows(`SELECT api.device_energy_kwh($1, $2, $3, coalesce($4, '{}')::text[]) AS kwh`, [device, from, to, sensors])
      expected[`w${i}`] = row.kwh
    }
    expect(data).toEqual(expected)
    expect(data.w0).toBeGreaterThan(10)
    expect(data.w4).toBe(0)
  })

  it('is sum(power) x 10 s / 3.6e6 when the window holds whole 10-second steps', async () => {
    const data = await api.data('{ deviceEnergyKwh(deviceName: "iotawatt-shop", fromTime: "2024-03-01T06:00:00Z", toTime: "2024-03-01T07:00:00Z", sensors: ["heat_pump"]) }')
    const [row] = await fx.rows(`SELECT sum(power) * 10 / 3.6e6 AS kwh, count(*)::int AS n FROM api.iotawatt
      WHERE device = 'iotawatt-shop' AND sensor = 'heat_pump' AND "timestamp" >= '2024-03-01T06:00:00Z' AND "timestamp" < '2024-03-01T07:00:00Z'`)
    expect(row.n).toBe(360)
    expect(data.deviceEnergyKwh).toBeCloseTo(row.kwh, 9)
  })

  it('takes its three first arguments as required (STRICT), the sensors as optional (a default)', () => {
    const field = api.gateway.schema.getQueryType()!.getFields().deviceEnergyKwh!
    expect(field.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['deviceName: String!', 'fromTime: DateTime!', 'toTime: DateTime!', 'sensors: [String]'])
    expect(String(field.type)).toBe('Float')
  })
})

describe('Iotawatt.apparentPower', () => {
  it('is v * current, filtered and ordered by, with the readings it belongs to, as SQL says, in one statement', async () => {
    const query = `{ iotawatts(first: 100, where: { device: { equals: "iotawatt-shop" }, apparentPower: { gt: 9000 } }, orderBy: [{ apparentPower: DESC }]) {
      totalCount nodes { timestamp sensor power apparentPower } } }`
    const data = await api.data(query)
    expect(api.statements).toHaveLength(1)
    const rows = await fx.rows(`SELECT ${as.timestamptz('"timestamp"')} AS "timestamp", sensor, power, api.iotawatt_apparent_power(i) AS "apparentPower" FROM api.iotawatt i
      WHERE device = 'iotawatt-shop' AND api.iotawatt_apparent_power(i) > 9000 ORDER BY api.iotawatt_apparent_power(i) DESC, device, sensor, "timestamp"`)
    expect(rows.length).toBeGreaterThan(100)
    expect(data.iotawatts).toEqual({ totalCount: rows.length, nodes: rows.slice(0, 100) })
    for (const node of data.iotawatts.nodes) expect(node.apparentPower).toBeGreaterThanOrEqual(node.power)
  })
})
