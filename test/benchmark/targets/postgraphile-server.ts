/**
 * PostGraphile 5 as a benchmark target: its recommended preset (amber) over a `pg` pool, served by
 * grafserv on node:http, in production form (no GraphiQL, no explain, no watch, no websockets).
 *
 *     node --import tsx test/benchmark/targets/postgraphile-server.ts --database-url URL --port N
 */
import { createServer } from 'node:http'
import { parseServerArgs } from './server-args.ts'

// PostGraphile 5.1.5 calls Promise.withResolvers (Node 22); Node 20 lacks it. It must exist
// before postgraphile's modules load, hence the dynamic imports below.
const PromiseWithResolvers = Promise as unknown as { withResolvers?: unknown }
if (typeof PromiseWithResolvers.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new Promise<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    },
  })
}

const args = parseServerArgs()
const { postgraphile } = await import('postgraphile')
const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber')
const { makePgService } = await import('postgraphile/adaptors/pg')
const { grafserv } = await import('postgraphile/grafserv/node')

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  // Amber offers filters and orders only on indexed columns; api.iotawatt has an index on its
  // timestamp alone, so `iot` could neither filter by device nor break timestamp ties by sensor.
  // Portico allows both on every column; so does PostGraphile without this plugin.
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  pgServices: [
    makePgService({
      connectionString: args.databaseUrl,
      schemas: args.schemas,
      poolConfig: { max: args.poolSize },
      // No LISTEN/NOTIFY client: no subscriptions here, and it would hold a connection.
      pubsub: false,
    }),
  ],
  grafserv: { host: args.host, port: args.port, graphiql: false, watch: false, websockets: false },
  grafast: { explain: false },
}

const pgl = postgraphile(preset)
// Build the schema before listening, so "listening" means ready.
await pgl.getSchema()
const serv = pgl.createServ(grafserv)
const server = createServer()
serv.addTo(server).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
server.listen(args.port, args.host, () => console.error(`postgraphile listening on ${args.host}:${args.port}`))

const stop = () => {
  server.close()
  void Promise.resolve(serv.release()).then(() => pgl.release()).finally(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
