/** Serves a Yoga instance on node:http, with a close() that lets in-flight requests finish. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '../log.js'

/** What listen() needs of a Yoga instance: a Node request listener that knows its endpoint. */
export interface NodeHandler {
  (request: IncomingMessage, response: ServerResponse): unknown
  graphqlEndpoint: string
}

export interface ListenOptions {
  host: string
  port: number
  logger: Logger
  /** How long close() waits for in-flight requests before cutting their connections. */
  graceMs?: number
  /**
   * Something more served on the same server (the WebSocket transport); its close() runs first
   * when the server closes, so long-lived streams end instead of holding shutdown for graceMs.
   */
  attach?: (server: Server) => { close(): Promise<void> }
}

export interface RunningServer {
  url: string
  port: number
  /** Stops accepting, waits for in-flight requests (up to graceMs), then closes every socket. */
  close(): Promise<void>
}

export async function listen(yoga: NodeHandler, { host, port, logger, graceMs = 10_000, attach }: ListenOptions): Promise<RunningServer> {
  let inFlight = 0
  let closing = false
  const server = createServer((request, response) => {
    inFlight++
    // A request arriving on a kept-alive connection during shutdown is served, then the connection ends.
    if (closing) response.setHeader('connection', 'close')
    response.once('close', () => {
      inFlight--
      // Once closing, a connection whose last request ended would otherwise idle in keep-alive.
      if (closing) server.closeIdleConnections()
    })
    void yoga(request, response)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${port} on ${host} is already in use; stop the other server or choose another port (--port or PORT)`))
      else if (error.code === 'EACCES') reject(new Error(`no permission to listen on ${host}:${port}; use a port above 1023`))
      else reject(error)
    })
    server.listen(port, host, resolve)
  })
  server.on('error', (error) => logger.error({ err: error }, 'HTTP server error'))
  const attached = attach?.(server)

  const actual = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}${yoga.graphqlEndpoint}`
  logger.info({ url }, 'GraphQL server listening')

  let closed: Promise<void> | undefined
  const close = () =>
    (closed ??= (attached ? attached.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the live transports failed')) : Promise.resolve()).then(
      () => new Promise<void>((resolve) => {
      closing = true
      const force = setTimeout(() => {
        logger.warn({ inFlight }, `requests still running after ${graceMs} ms; closing their connections`)
        server.closeAllConnections()
      }, graceMs)
      server.close(() => {
        clearTimeout(force)
        resolve()
      })
      server.closeIdleConnections()
      logger.info({ inFlight }, 'HTTP server stopped accepting connections')
    })))
  return { url, port: actual, close }
}
