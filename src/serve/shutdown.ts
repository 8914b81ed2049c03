/**
 * Graceful shutdown: on SIGTERM (orchestrators) or SIGINT (Ctrl-C), close things in the order
 * given, typically the HTTP server first (stop accepting, let in-flight requests finish) and the
 * database pool after, so no request loses its connection halfway; then exit 0.
 */
import type { Logger } from '../log.js'

export interface Closeable {
  name: string
  close(): Promise<void>
}

export interface ShutdownOptions {
  /** Hard bound on the whole shutdown; past it the process exits 1 rather than hang forever. */
  timeoutMs?: number
  signals?: NodeJS.Signals[]
  /** Replaced in tests. */
  exit?: (code: number) => void
}

export interface ShutdownHandle {
  /** Runs the shutdown now (also what the signals do); resolves with the exit code it used. */
  shutdown(reason: string): Promise<number>
  /** Removes the signal listeners. */
  dispose(): void
}

export function installShutdown(closeables: Closeable[], logger: Logger, options: ShutdownOptions = {}): ShutdownHandle {
  // Above the HTTP server's 10 s grace for in-flight requests plus the pool's 3 s for statements
  // still running after it (src/db/pool.ts), so those bounds normally win and the exit code is 0.
  const { timeoutMs = 15_000, signals = ['SIGTERM', 'SIGINT'], exit = (code: number) => process.exit(code) } = options
  let running: Promise<number> | undefined

  const shutdown = (reason: string) =>
    (running ??= (async () => {
      logger.info({ reason }, 'shutting down')
      const deadline = setTimeout(() => {
        logger.error(`shutdown did not finish within ${timeoutMs} ms; exiting anyway`)
        exit(1)
      }, timeoutMs)
      deadline.unref()
      let code = 0
      for (const closeable of closeables) {
        try {
          await closeable.close()
          logger.debug({ closed: closeable.name }, 'closed')
        } catch (error) {
          // Keep going: the pool should still be ended when the server failed to close cleanly.
          code = 1
          logger.error({ err: error, closing: closeable.name }, 'failed to close')
        }
      }
      clearTimeout(deadline)
      logger.info({ code }, 'shutdown complete')
      exit(code)
      return code
    })())

  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C means "now": do not make the user wait for the grace period.
    if (running) {
      logger.warn({ signal }, 'second signal during shutdown; exiting at once')
      exit(1)
      return
    }
    void shutdown(signal)
  }
  for (const signal of signals) process.on(signal, onSignal)
  return {
    shutdown,
    dispose: () => {
      for (const signal of signals) process.off(signal, onSignal)
    },
  }
}
