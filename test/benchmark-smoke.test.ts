/**
 * The benchmark (`npm run bench`, test/benchmark/) still starts: its smoke mode runs the whole
 * harness on a tiny dataset without timing anything: a private PostgreSQL cluster (initdb on
 * another port), the generated dataset, Portico (without and with auth), PostGraphile and the limit server as processes,
 * the data check and the statement counts. About 10-20 s (Portico generates its client first).
 * Everything it starts it stops; the test checks that the cluster is gone afterwards.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BenchResults } from './benchmark/report.ts'
import { privateClusterUnavailable } from './support/private-cluster.ts'
import { repoRoot } from './support/test-database.ts'

// In CI a missing PostgreSQL binary fails this file instead of skipping it.
const hasPostgres = !privateClusterUnavailable()

function runSmoke(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/benchmark/run.ts', '--smoke', '--skip-check', '--out', out], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, output }))
  })
}

describe.skipIf(!hasPostgres)('benchmark smoke run (npm run bench -- --smoke)', () => {
  let dir: string
  let run: { code: number | null; output: string }
  let results: BenchResults

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'portico-bench-smoke-'))
    const out = path.join(dir, 'results.json')
    run = await runSmoke(out)
    if (run.code !== 0 || !existsSync(out)) throw new Error(`the smoke run failed (exit ${run.code}):\n${run.output}`)
    results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults
  }, 240_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('starts the cluster, loads the dataset and starts the three servers', () => {
    expect(results.mode).toBe('smoke')
    expect(results.dataset.rows).toMatchObject({ users: 100, posts: 1000, comments: 5000, tags: 20, 'api.iotawatt': 5000 })
    expect(Object.keys(results.targets).sort()).toEqual(['limit', 'portico', 'portico-auth', 'postgraphile'])
    // Each target's idle RSS and start-up figures are reported (a live process holds more than 10 MB).
    for (const info of Object.values(results.targets)) expect(info!.idleRssBytes, info!.label).toBeGreaterThan(10 * 1024 * 1024)
    expect(results.machine.postgres).toMatch(/^PostgreSQL 15/)
  })

  it('the limit server and PostGraphile return the same data for every operation PostGraphile can do', () => {
    for (const operation of ['list', 'nested', 'iot', 'byIds', 'entities']) {
      const limit = results.check.find((e) => e.operation === operation && e.target === 'limit')
      const postgraphile = results.check.find((e) => e.operation === operation && e.target === 'postgraphile')
      expect(limit?.status, `limit server ${operation}: ${limit?.error ?? ''}`).toBe('reference')
      expect(postgraphile?.status, `PostGraphile ${operation}: ${JSON.stringify(postgraphile?.differences ?? postgraphile?.error)}`).toBe('ok')
    }
  })

  it('buckets: the limit server answers, PostGraphile (no group-by) is not sent it', () => {
    const entry = (target: string) => results.check.find((e) => e.operation === 'buckets' && e.target === target)
    expect(entry('limit')?.status, entry('limit')?.error).toBe('reference')
    // The smoke dataset's 250 minutes: 5 hours (4 full) x 4 devices x 5 sensors.
    expect(entry('limit')?.size).toBe('100 groups of 5,000 readings')
    expect(entry('postgraphile')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/group-by/) })
    expect(results.measurements.find((m) => m.target === 'postgraphile' && m.operation === 'buckets')).toBeUndefined()
  })

  it('counts statements per target from pg_stat_statements', () => {
    const count = (target: string, operation: string) =>
      results.measurements.find((m) => m.target === target && m.operation === operation)?.statements.dataPerRequest
    // Known shapes: one statement per operation for the limit server; PostGraphile sends one
    // statement per aliased lookup in byIds and one for everything else. Neither has `_entities`:
    // for entities both are sent their byIds request.
    for (const operation of ['list', 'nested', 'iot', 'byIds', 'entities', 'buckets']) expect(count('limit', operation)).toBe(1)
    // Portico's group-by: one statement.
    expect(count('portico', 'buckets')).toBe(1)
    expect(count('postgraphile', 'nested')).toBe(1)
    expect(count('postgraphile', 'byIds')).toBe(100)
    expect(count('postgraphile', 'entities')).toBe(100)
    expect(results.measurements.filter((m) => m.target === 'portico')).toHaveLength(6)
    // With auth: the same data statements, plus the caller's settings (sent with each read in one
    // round trip: no BEGIN or COMMIT), all counted (the token's role and the login role both).
    for (const operation of ['list', 'nested', 'iot', 'byIds', 'entities', 'buckets']) {
      const [plain, auth] = (['portico', 'portico-auth'] as const).map((target) => results.measurements.find((m) => m.target === target && m.operation === operation)?.statements)
      expect(auth?.dataPerRequest, operation).toBe(plain?.dataPerRequest)
      expect(auth?.noisePerRequest, operation).toBe((plain?.noisePerRequest ?? 0) + 1)
    }
  })

  it('Portico, without and with auth (a JWT, row-level security), returns the same data as the limit server', () => {
    const portico = results.check.filter((e) => (e.target === 'portico' || e.target === 'portico-auth') && e.status !== 'ok')
    expect(portico.map((e) => ({ operation: e.operation, status: e.status, error: e.error, differences: e.differences?.slice(0, 5) }))).toEqual([])
  })

  it('stops what it started', async () => {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${results.clusterPort}/postgres`, connectionTimeoutMillis: 2_000 })
    client.on('error', () => {})
    await expect(client.connect()).rejects.toThrow()
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    for (const [name, target] of Object.entries(results.targets)) expect(alive(target.pid), `${name} (pid ${target.pid}) still runs`).toBe(false)
  })
})
