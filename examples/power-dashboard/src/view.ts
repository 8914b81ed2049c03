/**
 * Renders the readings: a card per device (mains first, then its circuits), each sensor with its
 * latest power, power factor, current, a sparkline of its recent power and a bar for its share. Plain DOM, rebuilt per
 * result (a few dozen elements); every value is also in a data- attribute, for tests and scripts.
 */
import type { ResultOf } from '@graphql-typed-document-node/core'
import type { LatestReadings } from './operations.js'

type Reading = ResultOf<typeof LatestReadings>['iotawatts']['nodes'][number]

const watts = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
const ratio = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** `1,234.5 W`: the dashboard's one way of writing a power. */
export const formatWatts = (power: number | null | undefined) => (power == null ? '–' : `${watts.format(power)} W`)

export function renderDevices(container: HTMLElement, readings: readonly Reading[]): void {
  // Newest first (the query's order): the first reading of a sensor is its latest.
  const devices = new Map<string, Map<string, Reading[]>>()
  for (const r of readings) {
    const sensors = devices.get(r.device) ?? devices.set(r.device, new Map()).get(r.device)!
    const history = sensors.get(r.sensor) ?? sensors.set(r.sensor, []).get(r.sensor)!
    history.push(r)
  }
  const cards = [...devices.keys()].sort().map((device) => deviceCard(device, devices.get(device)!))
  container.replaceChildren(...cards)
}

function deviceCard(device: string, sensors: Map<string, Reading[]>): HTMLElement {
  const names = [...sensors.keys()].sort((a, b) => (a === 'mains' ? -1 : b === 'mains' ? 1 : a.localeCompare(b)))
  const mains = sensors.get('mains')?.[0]
  const scale = Math.max(1, ...names.map((n) => sensors.get(n)![0]!.power ?? 0))
  const card = el('section', { class: 'device', 'data-device': device })
  card.append(
    el('h2', {}, device.replace(/^iotawatt-/, '')),
    el('p', { class: 'total' }, formatWatts(mains?.power)),
    el('p', { class: 'volts' }, mains?.v == null ? '' : `${mains.v.toFixed(1)} V`),
  )
  for (const name of names) card.append(sensorRow(name, sensors.get(name)!, scale))
  return card
}

function sensorRow(sensor: string, history: Reading[], scale: number): HTMLElement {
  const latest = history[0]!
  const row = el('div', {
    class: 'sensor',
    'data-sensor': sensor,
    'data-power': String(latest.power ?? ''),
    'data-timestamp': latest.timestamp,
  })
  const bar = el('div', { class: 'bar' })
  bar.style.width = `${Math.round((100 * (latest.power ?? 0)) / scale)}%`
  row.append(
    el('div', { class: 'name' }, label(sensor), el('small', {}, latest.pf == null ? 'idle' : `pf ${ratio.format(latest.pf)} · ${ratio.format(latest.current ?? 0)} A`)),
    el('div', { class: 'power' }, formatWatts(latest.power)),
    el('div', { class: 'spark' }, sparkline(history.map((r) => r.power ?? 0).reverse())),
    el('div', { class: 'meter' }, bar),
  )
  return row
}

/** `ev_charger` -> `EV charger`, `heat_pump` -> `Heat pump`. */
function label(sensor: string): string {
  const words = sensor.split('_').map((w) => (w === 'ev' || w === 'hvac' ? w.toUpperCase() : w))
  const first = words[0] ?? ''
  return [first.charAt(0).toUpperCase() + first.slice(1), ...words.slice(1)].join(' ')
}

/** An inline SVG polyline of the values, oldest on the left, spanning their range. */
function sparkline(values: number[]): SVGElement {
  const width = 96
  const height = 28
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  svg.setAttribute('width', String(width))
  svg.setAttribute('height', String(height))
  if (values.length < 2) return svg
  const max = Math.max(...values)
  const min = Math.min(...values)
  const span = Math.max(max - min, max * 0.05, 1)
  const y = (v: number) => height - 2 - ((v - min) / span) * (height - 4)
  const points = values.map((v, i) => `${((i * width) / (values.length - 1)).toFixed(1)},${y(v).toFixed(1)}`)
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline')
  line.setAttribute('points', points.join(' '))
  svg.append(line)
  return svg
}

function el(tag: string, attributes: Record<string, string>, ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
  element.append(...children)
  return element
}
