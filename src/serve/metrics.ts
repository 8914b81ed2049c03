/**
 * Prometheus metrics at /metrics: requests, their latency and errors per operation (Yoga's
 * Prometheus plugin), SQL statements sent, the pool's connections by state, and the response
 * cache's invalidations by row events. One registry per
 * gateway, so several gateways in one process (the tests) do not collide.
 */
import { usePrometheus } from '@graphql-yoga/plugin-prometheus'
import type pg from 'pg'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Plugin } from 'graphql-yoga'
import type { ReplicaState } from '../db/read-replicas.js'

export interface Metrics {
  plugin: Plugin
  /** Counts one SQL statement (the planner's and Prisma's). */
  countStatement(): void
  /** Counts a query operation by where it was routed (with read replicas). */
  countRead(target: 'primary' | 'replica'): void
  /** Counts one invalidation of the response cache by row events (./cache-row-events.ts). */
  countCacheInvalidation(cause: 'row_event' | 'resync'): void
  /** A query answered by the compiled lane (./compiled-lane.ts), counted as the plugin counts Yoga's. */
  observeCompiled(request: { operationName: string | undefined; method: string; url: string; seconds: number }): void
}

export function createMetrics(pool: pg.Pool, replicas?: { replicas: readonly ReplicaState[] }): Metrics {
  const registry = new Registry()
  const statements = new Counter({ name: 'portico_sql_statements_total', help: 'SQL statements sent to PostgreSQL.', registers: [registry] })
  const reads = new Counter({ name: 'portico_read_operations_total', help: 'Query operations by the server they were sent to (with read replicas).', labelNames: ['target'], registers: [registry] })
  const invalidations = new Counter({
    name: 'portico_response_cache_invalidations_total',
    help: 'Invalidations of the response cache by writes of any client, heard as row events (cause row_event), or after the LISTEN connection was back (cause resync).',
    labelNames: ['cause'],
    registers: [registry],
  })
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
  // The metrics README.md promises, and no others: the plugin's defaults add per-phase
  // histograms, a summary and a deprecated-field counter that walks every document again with
  // TypeInfo, on every request.
  const plugin = usePrometheus({
    endpoint: '/metrics',
    registry,
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_yoga_http_duration: true,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_schema_change: false,
    },
  })
  // The plugin's own metrics, found by name once they exist (the plugin registers them at init).
  const metric = <T>(name: string) => registry.getSingleMetric(name) as T | undefined
  return {
    plugin,
    countStatement: () => statements.inc(),
    countRead: (target) => reads.inc({ target }),
    countCacheInvalidation: (cause) => invalidations.inc({ cause }),
    observeCompiled({ operationName, method, url, seconds }) {
      const labels = { operationType: 'query', operationName: operationName || 'Anonymous' }
      metric<Counter>('graphql_envelop_request')?.inc(labels)
      metric<Histogram>('graphql_envelop_request_duration')?.observe(labels, seconds)
      metric<Histogram>('graphql_yoga_http_duration')?.observe({ ...labels, method, statusCode: 200, url }, seconds)
    },
  }
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
