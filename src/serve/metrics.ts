/**
 * Prometheus metrics at /metrics: requests, their latency and errors per operation (Yoga's
 * Prometheus plugin), SQL statements sent, and the pool's connections by state. One registry per
 * gateway, so several gateways in one process (the tests) do not collide.
 */
import { usePrometheus } from '@graphql-yoga/plugin-prometheus'
import type pg from 'pg'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Plugin } from 'graphql-yoga'

export interface Metrics {
  plugin: Plugin
  /** Counts one SQL statement (the planner's and Prisma's). */
  countStatement(): void
  /** A query answered by the compiled lane (./compiled-lane.ts), counted as the plugin counts Yoga's. */
  observeCompiled(request: { operationName: string | undefined; method: string; url: string; seconds: number }): void
}

export function createMetrics(pool: pg.Pool): Metrics {
  const registry = new Registry()
  const statements = new Counter({ name: 'portico_sql_statements_total', help: 'SQL statements sent to PostgreSQL.', registers: [registry] })
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
    observeCompiled({ operationName, method, url, seconds }) {
      const labels = { operationType: 'query', operationName: operationName || 'Anonymous' }
      metric<Counter>('graphql_envelop_request')?.inc(labels)
      metric<Histogram>('graphql_envelop_request_duration')?.observe(labels, seconds)
      metric<Histogram>('graphql_yoga_http_duration')?.observe({ ...labels, method, statusCode: 200, url }, seconds)
    },
  }
}
