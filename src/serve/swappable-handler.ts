/**
 * The one indirection point of a schema swap (`portico serve --watch`, ./schema-watch.ts): the
 * HTTP server calls this handler, which hands each request to the current Yoga instance. A swap
 * changes which instance new requests get; requests already handed over finish on theirs (an open
 * SSE stream or live query stays on the schema it started with). `swap` resolves once every
 * request on the previous instance has ended, so its gateway can be closed then.
 */
import type { NodeHandler } from './http-server.js'

interface Target {
  handler: NodeHandler
  inFlight: number
  drained?: () => void
}

export interface SwappableHandler {
  handler: NodeHandler
  /** New requests go to `next`; resolves when the previous handler has no request left. */
  swap(next: NodeHandler): Promise<void>
}

export function createSwappableHandler(initial: NodeHandler): SwappableHandler {
  let current: Target = { handler: initial, inFlight: 0 }
  const handler = ((request, response) => {
    const target = current
    target.inFlight++
    response.once('close', () => {
      target.inFlight--
      if (target.inFlight === 0) target.drained?.()
    })
    return target.handler(request, response)
  }) as NodeHandler
  handler.graphqlEndpoint = initial.graphqlEndpoint
  return {
    handler,
    swap(next) {
      const previous = current
      current = { handler: next, inFlight: 0 }
      if (previous.inFlight === 0) return Promise.resolve()
      return new Promise<void>((resolve) => {
        previous.drained = resolve
      })
    },
  }
}
