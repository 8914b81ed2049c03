/**
 * Prometheus metrics at /metrics: requests, their latency and errors per operation (Yoga's
 * Prometheus plugin), SQL statements sent, and the pool's connections by state. One registry per
 * gateway, so several gateways in one process (the tests) do not collide.
 */
import { usePrometheus } from '@graphql-yoga/plugin-prometheus'
import type pg from 'pg'
import { Counter, Gauge, Registry } from 'prom-client'
import type { Plugin } from 'graphql-yoga'
import type { ReplicaState } from '../db/read-replicas.js'

export interface Metrics {
  plugin: Plugin
  /** Counts one SQL statement (the planner's and Prisma's). */
  countStatement(): void
  /** Counts a query operation by where it was routed (with read replicas). */
  countRead(target: 'primary' | 'replica'): void
}

export function createMetrics(pool: pg.Pool, replicas?: { replicas: readonly ReplicaState[] }): Metrics {
  const registry = new Registry()
  const statements = new Counter({ name: 'portico_sql_statements_total', help: 'SQL statements sent to PostgreSQL.', registers: [registry] })
  const reads = new Counter({ name: 'portico_read_operations_total', help: 'Query operations by the server they were sent to (with read replicas).', labelNames: ['target'], registers: [registry] })
  if (replicas) replicaGauges(registry, replicas.replicas)
  new Gauge({
    name: 'portico_pool_connections',
    help: 'Database connections of the pool, by state (total, idle, waiting requests).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount)
      this.set({ state: 'idle' }, pool.idleCount)
      this.set({ state: 'waiting' }, pool.waitingCount)
    },
  })
  const plugin = usePrometheus({
    endpoint: '/metrics',
    registry,
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_yoga_http_duration: true,
    },
  })
  return { plugin, countStatement: () => statements.inc(), countRead: (target) => reads.inc({ target }) }
}

/** Each read replica's health and replication lag, as of its last health check. */
function replicaGauges(registry: Registry, replicas: readonly ReplicaState[]): void {
  const gauge = (name: string, help: string, value: (r: ReplicaState) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['replica'],
      registers: [registry],
      collect() {
        for (const replica of replicas) {
          const v = value(replica)
          if (v !== undefined) this.set({ replica: replica.name }, v)
        }
      },
    })
  gauge('portico_replica_up', 'Whether the read replica is in rotation (1) or not (0).', (r) => (r.healthy ? 1 : 0))
  gauge('portico_replica_lag_bytes', 'WAL bytes written by the primary and not yet replayed by the replica.', (r) => r.lagBytes)
  gauge('portico_replica_lag_seconds', 'Seconds since the last transaction the replica replayed committed on the primary (0 when caught up).', (r) => r.lagSeconds)
}
