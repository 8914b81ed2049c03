/** Structured logging (pino): JSON lines on stderr, so stdout stays for command output. */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string = process.env.PORTICO_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'portico' } }, pino.destination(2))
}

export const log: Logger = createLogger()
