/**
 * A load client for `npm run bench -- --live` (and its CI version), in its own process: it opens
 * WebSocket connections to Portico (graphql-ws), spreads its live-query subscriptions over them,
 * and measures change-to-client latency: the writer stores its write time in a reading's `power`
 * (ms since `epoch`), so latency is the time the client sees that reading minus that.
 *
 * argv[2]: JSON { url, epoch, connections, subscribers, documents, cohortsPerDocument, from, count }:
 * this client's subscriptions are `from`..`from + count` of liveSubscriptions() (./live-load.ts).
 * stdin lines: `report` (latencies since the last report, errors, results), `cycles N` (N
 * subscribe / first result / complete cycles on one more connection), `close`.
 * stdout: one JSON line per answer; `{"ready":true}` once every subscription had its first result.
 */
import { createInterface } from 'node:readline'
import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { liveSubscriptions } from './live-load.ts'

interface Spec {
  url: string
  epoch: number
  connections: number
  subscribers: number
  documents: number
  cohortsPerDocument: number
  from: number
  count: number
}

const given = JSON.parse(process.argv[2]!) as Spec
const spec = { ...given, subscriptions: liveSubscriptions(given).slice(given.from, given.from + given.count) }
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`)
let latencies: number[] = []
let errors = 0
let results = 0
const errorSamples: string[] = []
const error = (what: unknown) => {
  errors += 1
  if (errorSamples.length < 5) errorSamples.push(typeof what === 'string' ? what : JSON.stringify(what instanceof Error ? what.message : what))
}

let reconnects = 0
// A connection that fails (at start, 10,000 subscriptions arriving at once can delay a
// connection_init past graphql-ws's 3 s) is retried, its subscriptions made again; counted apart.
const connect = (): Client => {
  let opened = 0
  return createClient({
    url: spec.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 5,
    lazy: false,
    onNonLazyError: error,
    keepAlive: 0,
    on: { connected: () => void (opened++ > 0 && reconnects++) },
  })
}

const clients = Array.from({ length: spec.connections }, connect)
let firsts = 0
spec.subscriptions.forEach((subscription, i) => {
  let first = true
  clients[i % clients.length]!.subscribe(
    { query: subscription.query, variables: subscription.variables },
    {
      next(value: any) {
        results += 1
        if (value.errors) return error(value.errors)
        const power = value.data?.[subscription.field]?.nodes?.[0]?.power
        if (first) {
          first = false
          firsts += 1
          if (firsts === spec.subscriptions.length) say({ ready: true })
          return
        }
        if (typeof power === 'number') latencies.push(Date.now() - (spec.epoch + power))
      },
      error,
      complete: () => error('a subscription completed'),
    },
  )
})

/** N cycles: subscribe, wait for the first result, complete; 50 at a time, on one more connection. */
async function cycles(n: number): Promise<void> {
  const client = connect()
  let next = 0
  const one = () =>
    new Promise<void>((resolve) => {
      const subscription = spec.subscriptions[next++ % spec.subscriptions.length]!
      let stop: () => void = () => {}
      stop = client.subscribe(
        { query: subscription.query, variables: subscription.variables },
        {
          next: () => {
            stop()
            resolve()
          },
          error: (e) => {
            error(e)
            resolve()
          },
          complete: () => resolve(),
        },
      )
    })
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < n) await one()
    }),
  )
  await client.dispose()
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, argument] = line.split(' ')
  if (command === 'report') {
    say({ latencies, errors, errorSamples, results, reconnects })
    latencies = []
  } else if (command === 'cycles') {
    void cycles(Number(argument)).then(() => say({ cycled: Number(argument), errors }))
  } else if (command === 'close') {
    void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0))
  }
})
