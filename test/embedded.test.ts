/**
 * The first command a new user runs (`npm start`, i.e. `node bin/portico.mjs serve`) with no
 * database configured: Portico builds and serves the embedded demo database (PGlite), and answers
 * over real HTTP until SIGTERM.
 *
 * The demo's files go to `.portico/demo-pgdata` under the working directory (startDemoDatabase's
 * default; `serve` offers no option for it), so the process runs in a fresh temporary directory:
 * a real first start, isolated from any demo another Portico process holds in the repository. The
 * repository's portico.config.json is copied there, as a user running from a checkout has it: it
 * declares the key (device, sensor, timestamp) of api.iotawatt.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_DEVICES, DEMO_READING_COUNT, demoReadings } from '../src/db/demo-readings.js'
import { repoRoot } from './support/test-database.js'

const BIN = path.join(repoRoot, 'bin', 'portico.mjs')
/** First start: initdb of PGlite, 31 680 generated rows, maybe `prisma generate`; slow on a busy machine. */
const START_TIMEOUT_MS = 180_000

const cwd = mkdtempSync(path.join(tmpdir(), 'portico-embedded-'))
copyFileSync(path.join(repoRoot, 'portico.config.json'), path.join(cwd, 'portico.config.json'))
const dataDir = path.join(cwd, '.portico', 'demo-pgdata')

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key === 'HOST' || key === 'PORT' || key === 'NODE_OPTIONS' || key.startsWith('PORTICO_')) continue
    env[key] = value
  }
  return env
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

interface Server {
  child: ChildProcessByStdio<null, Readable, Readable>
  port: number
  url: string
  stderr: () => string
  stdout: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** `portico serve --port N` in `cwd`; resolves once it prints the GraphiQL URL. */
async function startServe(env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], { cwd, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  let stdout = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no GraphiQL URL within ${START_TIMEOUT_MS} ms; stderr:\n${stderr}`)), START_TIMEOUT_MS)
    const check = () => {
      const found = /GraphiQL and GraphQL over HTTP: (\S+)\n/.exec(stderr)
      if (found) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    }
    child.stderr.on('data', check)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`portico serve exited (${code ?? signal}) before serving; stderr:\n${stderr}`))
    })
  })
  return { child, port, url, exited, stderr: () => stderr, stdout: () => stdout }
}

/** Ends it with SIGTERM; the exit code and how long it took. */
async function stop(server: Server): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now()
  server.child.kill('SIGTERM')
  const result = await Promise.race([server.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))])
  if (!result) {
    server.child.kill('SIGKILL')
    return { code: null, signal: null, ms: Infinity }
  }
  return { ...result, ms: Date.now() - started }
}

let first: Server | undefined
let second: Server | undefined

beforeAll(async () => {
  // No live readings on the first start: the tests below count the generated ones exactly.
  first = await startServe({ PORTICO_DEMO_TICK_MS: '0' })
}, START_TIMEOUT_MS + 10_000)

afterAll(async () => {
  for (const server of [first, second]) {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL')
      await server.exited
    }
  }
  rmSync(cwd, { recursive: true, force: true })
})

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

describe('serve with no database configured', () => {
  it('builds the embedded demo database in the working directory and prints the GraphiQL URL', () => {
    const server = first!
    expect(server.url).toBe(`http://localhost:${server.port}/graphql`)
    const lines = server.stderr().split('\n')
    const progress = (text: string) => lines.find((line) => /^portico \[ *\d+\.\d s\] /.test(line) && line.includes(text))
    expect(progress('no database configured (--database-url or DATABASE_URL): starting the embedded demo database')).toBeDefined()
    expect(progress(`creating the demo database in ${dataDir} (first start only, takes a few seconds)`)).toBeDefined()
    expect(progress(`generating ${DEMO_READING_COUNT} power readings`)).toBeDefined()
    expect(progress('serving 1 types (Iotawatt) from the embedded demo database')).toBeDefined()
    expect(progress(`GraphiQL and GraphQL over HTTP: http://localhost:${server.port}/graphql`)).toBeDefined()
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true)
  })

  it('GET /healthz and /readyz answer 200', async () => {
    const base = new URL(first!.url)
    const health = await fetch(new URL('/healthz', base))
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    const ready = await fetch(new URL('/readyz', base))
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
  })

  it('POST /graphql answers with the generated readings, in key order', async () => {
    const response = await fetch(first!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: '{ iotawatts(first: 3) { totalCount nodes { device sensor timestamp power } } }' }),
    })
    expect(response.status).toBe(200)
    // Without orderBy a list is ordered by the key, here the declared (device, sensor, timestamp).
    // The smallest device and sensor are the same in every collation: iotawatt-cabin (c < h < s)
    // and heat_pump (h < m < w), so the first rows are that sensor's first three minutes.
    const readings = [...demoReadings()]
    const expected = readings
      .sort((a, b) => cmp(a.device, b.device) || cmp(a.sensor, b.sensor) || a.time - b.time)
      .slice(0, 3)
      .map((r) => ({ device: r.device, sensor: r.sensor, timestamp: new Date(r.time).toISOString().replace('.000Z', 'Z'), power: r.power }))
    expect(expected.map((r) => `${r.device} ${r.sensor} ${r.timestamp}`)).toEqual([
      'iotawatt-cabin heat_pump 2024-03-01T00:00:00Z',
      'iotawatt-cabin heat_pump 2024-03-01T00:01:00Z',
      'iotawatt-cabin heat_pump 2024-03-01T00:02:00Z',
    ])
    expect(await response.json()).toEqual({ data: { iotawatts: { totalCount: readings.length, nodes: expected } } })
    expect(readings.length).toBe(DEMO_READING_COUNT)
  })

  it('GET /graphql from a browser serves GraphiQL', async () => {
    const response = await fetch(first!.url, { headers: { accept: 'text/html' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    const html = await response.text()
    expect(html).toContain('<title>Portico</title>')
    expect(html.toLowerCase()).toContain('graphiql')
  })

  it('SIGTERM ends it with exit code 0 within 15 s, and releases the demo database', async () => {
    const result = await stop(first!)
    expect(result.signal).toBeNull()
    expect(result.code).toBe(0)
    expect(result.ms).toBeLessThan(15_000)
    expect(existsSync(`${dataDir}.lock`)).toBe(false)
    expect(first!.stderr()).not.toMatch(/\n\s+at /) // no stack trace on the way out
  }, 40_000)

  it('a second start reuses the demo database it built, and adds a reading per sensor every tick', async () => {
    second = await startServe({ PORTICO_DEMO_TICK_MS: '300' })
    expect(second.stderr()).not.toContain('creating the demo database')
    expect(second.stderr()).toContain(`demo database ready in `)
    const ask = async (query: string) => {
      const response = await fetch(second!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
      return ((await response.json()) as { data: any }).data
    }
    const sensors = DEMO_DEVICES.reduce((n, d) => n + 1 + d.branches.length, 0)
    // The live readings are stamped now, after every generated one; each tick adds all sensors at once.
    const live = async () => (await ask(`{ iotawatts(first: 1, where: { timestamp: { gt: "2024-03-03T00:00:00Z" } }) { totalCount } }`)).iotawatts.totalCount as number
    const before = await live()
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const after = await live()
    // Printed just after the GraphiQL line startServe waits for.
    expect(second.stderr()).toContain('demo: a new reading per sensor every 300 ms (demo.tickMs, PORTICO_DEMO_TICK_MS=0: off)')
    expect(after - before).toBeGreaterThanOrEqual(2 * sensors)
    expect(after % sensors).toBe(0)
    const total = (await ask('{ iotawatts(first: 1) { totalCount } }')).iotawatts.totalCount as number
    expect(total - DEMO_READING_COUNT).toBeGreaterThanOrEqual(after)
    // A @live query moves by itself (GraphQL over SSE): two results in a row, the second newer.
    const stream = await fetch(second!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'query @live { iotawatts(first: 1, orderBy: [{ timestamp: DESC }, { device: ASC }, { sensor: ASC }]) { nodes { timestamp } } }' }),
      signal: AbortSignal.timeout(20_000),
    })
    expect(stream.headers.get('content-type')).toContain('text/event-stream')
    const stamps: string[] = []
    const decoder = new TextDecoder()
    let buffered = ''
    for await (const chunk of stream.body!) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true })
      for (const [, data] of buffered.matchAll(/^event: next\ndata: (.*)$/gm)) {
        const result = JSON.parse(data!) as { data?: { iotawatts: { nodes: { timestamp: string }[] } }; errors?: unknown }
        expect(result.errors).toBeUndefined()
        stamps.push(result.data!.iotawatts.nodes[0]!.timestamp)
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n\n') + 2)
      if (stamps.length >= 2) break
    }
    expect(stamps).toHaveLength(2)
    expect(Date.parse(stamps[1]!)).toBeGreaterThan(Date.parse(stamps[0]!))
    const result = await stop(second)
    expect(result.code).toBe(0)
    expect(result.ms).toBeLessThan(15_000)
    expect(second.stderr()).not.toContain('cannot insert')
  }, START_TIMEOUT_MS + 40_000)
})
