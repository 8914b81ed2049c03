/**
 * Deterministic power readings for the embedded demo database (the shape of the reference
 * `api.iotawatt` table). Only integer hashing and IEEE +, -, *, / are used (no Math.random, no
 * Math.sin, whose last bits may differ between engines), and every value is rounded, so the rows
 * and the checksum in test/demo-database.test.ts are the same on every machine.
 */

/** Bump when the generated rows (or the demo's functions) change: the demo database stores it and is rebuilt on a mismatch. */
export const DEMO_VERSION = 'portico-demo v3'

export interface DemoReading {
  /** Milliseconds since the epoch (UTC). */
  time: number
  device: string
  sensor: string
  /** Watts. */
  power: number
  /** Power factor in [0.8, 1]; null when the sensor draws nothing. */
  pf: number | null
  /** Amperes: power / (v * pf). */
  current: number
  /** Volts (RMS). */
  v: number
}

/** 2024-03-01T00:00:00Z, the day of the reference fixture. */
export const DEMO_START = Date.UTC(2024, 2, 1)
export const DEMO_DAYS = 2
export const DEMO_MINUTES = DEMO_DAYS * 24 * 60
/** Later days draw a little less (a weekend), so days are not identical. */
const DAY_FACTOR = [1, 0.88]

// Hourly shapes (0..1) of typical loads; minutes in between are interpolated linearly.
const SHAPE = {
  home: [0.2, 0.15, 0.12, 0.1, 0.1, 0.15, 0.35, 0.55, 0.45, 0.3, 0.25, 0.25, 0.3, 0.3, 0.3, 0.35, 0.45, 0.7, 0.9, 1, 0.9, 0.7, 0.45, 0.3],
  cooling: [0.1, 0.08, 0.06, 0.05, 0.05, 0.05, 0.08, 0.12, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 1, 1, 0.95, 0.85, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12],
  heating: [0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1, 0.95, 0.7, 0.45, 0.3, 0.2, 0.15, 0.12, 0.12, 0.15, 0.25, 0.4, 0.5, 0.55, 0.55, 0.55, 0.55, 0.58],
  workday: [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.2, 0.7, 0.95, 1, 1, 0.95, 0.8, 0.95, 1, 1, 0.95, 0.7, 0.3, 0.1, 0.05, 0.05, 0.05, 0.05],
  flat: new Array<number>(24).fill(1),
  /** Mains voltage sags a little at the evening peak. */
  voltage: [0.6, 0.7, 0.8, 0.9, 1, 0.9, 0.6, 0.3, 0.2, 0.3, 0.4, 0.4, 0.3, 0.3, 0.3, 0.2, 0.1, -0.2, -0.5, -0.8, -1, -0.7, -0.2, 0.3],
} as const

interface Branch {
  sensor: string
  shape: readonly number[]
  baseW: number
  ampW: number
  noiseW: number
  pfLo: number
  pfHi: number
  /** Compressor-style cycling: on `on` minutes out of every `period`. */
  cycle?: { period: number; on: number }
  /** Only draws in [from, to) hours UTC (an EV charging on a night tariff); zero otherwise. */
  hours?: [number, number]
}

interface Device {
  device: string
  vNominal: number
  /** Unmetered load that mains sees on top of its branches. */
  mainsBaseW: number
  branches: Branch[]
}

export const DEMO_DEVICES: readonly Device[] = [
  {
    device: 'iotawatt-house',
    vNominal: 120,
    mainsBaseW: 180,
    branches: [
      { sensor: 'hvac', shape: SHAPE.cooling, baseW: 30, ampW: 2600, noiseW: 90, pfLo: 0.82, pfHi: 0.95 },
      { sensor: 'fridge', shape: SHAPE.flat, baseW: 140, ampW: 20, noiseW: 8, pfLo: 0.8, pfHi: 0.88, cycle: { period: 40, on: 15 } },
      { sensor: 'ev_charger', shape: SHAPE.flat, baseW: 3300, ampW: 500, noiseW: 40, pfLo: 0.97, pfHi: 0.99, hours: [1, 5] },
    ],
  },
  {
    device: 'iotawatt-shop',
    vNominal: 230,
    mainsBaseW: 250,
    branches: [
      { sensor: 'compressor', shape: SHAPE.workday, baseW: 0, ampW: 3800, noiseW: 150, pfLo: 0.8, pfHi: 0.9, cycle: { period: 25, on: 10 } },
      { sensor: 'lighting', shape: SHAPE.workday, baseW: 60, ampW: 1400, noiseW: 30, pfLo: 0.9, pfHi: 0.98 },
      { sensor: 'server_rack', shape: SHAPE.flat, baseW: 620, ampW: 0, noiseW: 35, pfLo: 0.95, pfHi: 0.99 },
    ],
  },
  {
    device: 'iotawatt-cabin',
    vNominal: 230,
    mainsBaseW: 90,
    branches: [
      { sensor: 'heat_pump', shape: SHAPE.heating, baseW: 150, ampW: 2200, noiseW: 80, pfLo: 0.85, pfHi: 0.97 },
      { sensor: 'water_heater', shape: SHAPE.home, baseW: 0, ampW: 3000, noiseW: 60, pfLo: 0.99, pfHi: 1, cycle: { period: 60, on: 12 } },
    ],
  },
]

/** Sensors in row order per timestamp: mains first, then the branches, as an IoTaWatt lists them. */
const SENSORS_PER_MINUTE = DEMO_DEVICES.reduce((n, d) => n + 1 + d.branches.length, 0)
export const DEMO_READING_COUNT = SENSORS_PER_MINUTE * DEMO_MINUTES

/** murmur3's 32-bit finaliser over a few integers: uniform in [0, 1). */
function hash01(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(c + 0x165667b1, 0xc2b2ae3d)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 4294967296
}
/** Noise in [-1, 1). */
const noise = (a: number, b: number, c: number) => 2 * hash01(a, b, c) - 1

function shapeAt(shape: readonly number[], minuteOfDay: number): number {
  const hour = Math.floor(minuteOfDay / 60)
  const frac = (minuteOfDay % 60) / 60
  return shape[hour]! * (1 - frac) + shape[(hour + 1) % 24]! * frac
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

function reading(time: number, device: string, sensor: string, power: number, pf: number, v: number): DemoReading {
  power = round(Math.max(0, power), 2)
  if (power === 0) return { time, device, sensor, power: 0, pf: null, current: 0, v }
  pf = round(Math.min(1, Math.max(0.8, pf)), 3)
  return { time, device, sensor, power, pf, current: round(power / (v * pf), 3), v }
}

/** All readings, ordered by time, then device and sensor as listed above. */
export function* demoReadings(): Generator<DemoReading> {
  for (let minute = 0; minute < DEMO_MINUTES; minute++) {
    const time = DEMO_START + minute * 60_000
    const minuteOfDay = minute % 1440
    const dayFactor = DAY_FACTOR[Math.floor(minute / 1440)] ?? 1
    for (const [d, dev] of DEMO_DEVICES.entries()) {
      const v = round(dev.vNominal * (1 + 0.015 * shapeAt(SHAPE.voltage, minuteOfDay)) + 0.4 * noise(d, minute, 0), 1)
      const branches = dev.branches.map((b, s) => {
        const on =
          (!b.hours || (minuteOfDay >= b.hours[0] * 60 && minuteOfDay < b.hours[1] * 60)) &&
          (!b.cycle || (minute + 7 * s + 13 * d) % b.cycle.period < b.cycle.on)
        const load = shapeAt(b.shape, minuteOfDay) * dayFactor
        const power = on ? b.baseW + b.ampW * load + b.noiseW * noise(d, minute, s + 1) : 0
        const pf = b.pfLo + (b.pfHi - b.pfLo) * (0.5 + 0.4 * load) + 0.01 * noise(d, minute, s + 101)
        return reading(time, dev.device, b.sensor, power, pf, v)
      })
      // Mains sees every branch plus the unmetered house load; its power factor is load-weighted.
      const branchW = branches.reduce((w, r) => w + r.power, 0)
      const mainsW = branchW + dev.mainsBaseW * (0.6 + 0.4 * shapeAt(SHAPE.home, minuteOfDay)) + 25 * noise(d, minute, 99)
      const weightedPf = branches.reduce((acc, r) => acc + r.power * (r.pf ?? 0), 0.92 * dev.mainsBaseW) / (branchW + dev.mainsBaseW)
      yield reading(time, dev.device, 'mains', mainsW, weightedPf, v)
      yield* branches
    }
  }
}

/** ISO-like UTC text PostgreSQL reads back exactly: 2024-03-01 00:01:00+00. */
export function utcText(time: number): string {
  return new Date(time).toISOString().replace('T', ' ').replace('.000Z', '+00')
}

/** The readings as CSV for `COPY api.iotawatt FROM ... (FORMAT csv)`; an empty field is NULL. */
export function demoReadingsCsv(): string {
  const lines: string[] = []
  for (const r of demoReadings()) {
    lines.push(`${utcText(r.time)},${r.device},${r.sensor},${r.power},${r.pf ?? ''},${r.current},${r.v}`)
  }
  return lines.join('\n') + '\n'
}
