/**
 * `npm run bench` options. Three modes: full (the dataset, 15 s per measurement, ~5 min),
 * --quick (a tenth of the data, 2 s per measurement, ~1 min) and --smoke (a tiny dataset, no
 * timing: start everything, check the data, count statements; what the smoke test runs).
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { SCALES, type Scale } from './dataset.ts'
import { OPERATION_NAMES, type OperationName } from './operations.ts'
import type { TargetName } from './targets/target.ts'

export interface BenchOptions {
  mode: 'full' | 'quick' | 'smoke'
  scale: Scale
  skipCheck: boolean
  warmupSeconds: number
  durationSeconds: number
  connections: number
  /** wrk threads. */
  threads: number
  poolSize: number
  /** Sequential requests per operation and target for the exact statement count. */
  countRequests: number
  /** Timed one-at-a-time requests per target for the operations in SEQUENTIAL_OPERATIONS. */
  sequentialRequests: number
  operations: OperationName[]
  targets: TargetName[]
  /** Results file; default .portico/bench/results-<timestamp>.json. */
  out?: string
  /** First port tried for the private cluster. */
  pgPort: number
}

export const USAGE = `Usage: npm run bench -- [options]

Runs Portico (without and with auth), PostGraphile 5 and a hand-written limit server side by side on one generated
dataset in a private PostgreSQL 15 cluster, checks they return the same data, then measures them.

  --quick             a tenth of the dataset, 1 s warm-up + 2 s per measurement (about a minute)
  --smoke             a tiny dataset, no timing: start, data check, statement counts
  --skip-check        go on (and exit 0) when a target's data differs or fails
  --duration S        seconds per measurement (full: 15, quick: 2)
  --warmup S          seconds of warm-up before each measurement (full: 3, quick: 1)
  --connections N     concurrent HTTP connections (32)
  --threads N         wrk threads (1: wrk, in C, is far from its limit, and leaves the servers the cores)
  --pool-size N       database connections per server (10)
  --operations a,b    a subset of ${OPERATION_NAMES.join(',')}
  --targets a,b       a subset of portico,portico-auth,postgraphile,limit
  --out FILE          the results JSON (default .portico/bench/results-<time>.json)
  --pg-port N         first port to try for the private cluster (55433)
  -h, --help          this text`

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  if (value === undefined) return [...allowed]
  const items = value.split(',').map((s) => s.trim()).filter(Boolean)
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`unknown ${what} "${item}" (one of ${allowed.join(', ')})`)
  return allowed.filter((a) => items.includes(a))
}

function positive(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a positive number: ${value}`)
  return n
}

/** Parsed options, or null when --help was asked for. */
export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      'skip-check': { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      'pool-size': { type: 'string' },
      operations: { type: 'string' },
      targets: { type: 'string' },
      out: { type: 'string' },
      'pg-port': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help) return null
  if (values.quick && values.smoke) throw new Error('--quick and --smoke exclude each other')
  const mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full'
  return {
    mode,
    scale: SCALES[mode],
    skipCheck: values['skip-check'] ?? false,
    warmupSeconds: positive(values.warmup, mode === 'full' ? 3 : 1, '--warmup'),
    durationSeconds: positive(values.duration, mode === 'full' ? 15 : 2, '--duration'),
    connections: Math.round(positive(values.connections, 32, '--connections')),
    threads: Math.round(positive(values.threads, 1, '--threads')),
    poolSize: Math.round(positive(values['pool-size'], 10, '--pool-size')),
    countRequests: mode === 'full' ? 5 : 3,
    sequentialRequests: mode === 'full' ? 50 : 20,
    operations: list(values.operations, OPERATION_NAMES, 'operation'),
    targets: list(values.targets, ['portico', 'portico-auth', 'postgraphile', 'limit'] as const, 'target'),
    ...(values.out === undefined ? {} : { out: path.resolve(values.out) }),
    pgPort: Math.round(positive(values['pg-port'], 55433, '--pg-port')),
  }
}
