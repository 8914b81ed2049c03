/**
 * Prometheus metrics at /metrics: requests, their latency and errors per operation (Yoga's
 * Prometheus plugin), SQL statements sent, and the pool's connections by state. One registry per
 * gateway, so several gateways in one process (the tests) do not collide.
 */
import { usePrometheus } from '@graphql-yoga/plugin-prometheus'
import type pg from 'pg'
import { Counter, Gauge, Registry } from 'prom-client'
import type { Plugin } from 'graphql-yoga'

export interface Metrics {
  plugin: Plugin
  /** Counts one SQL statement (the planner's and Prisma's). */
  countStatement(): void
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
  return { plugin, countStatement: () => statements.inc() }
}
