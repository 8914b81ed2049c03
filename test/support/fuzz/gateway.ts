/**
 * A gateway for the fuzz test whose log is kept, not silenced: the fuzzer asserts that thousands
 * of hostile requests left no error line in it (an unexpected error is logged at error level by
 * src/serve/yoga.ts before it is masked, so the log shows what the responses hide).
 */
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { loadConfig, type ConfigInput } from '../../../src/config/config.js'
import { createGateway, type Gateway } from '../../../src/gateway.js'

export interface LogLine {
  level: number
  msg?: string
  err?: { type?: string; message?: string; stack?: string }
  [key: string]: unknown
}

export interface FuzzGateway {
  gateway: Gateway
  /** Every log line at warn level or above, parsed. */
  log: LogLine[]
  close(): Promise<void>
}

/** pino's numeric levels: 40 warn, 50 error, 60 fatal. */
export const ERROR_LEVEL = 50

export async function startFuzzGateway(databaseUrl: string, config: Partial<ConfigInput> = {}): Promise<FuzzGateway> {
  const log: LogLine[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log.push(JSON.parse(line) as LogLine)
      done()
    },
  })
  const logger = pino({ level: 'warn', base: { service: 'portico' } }, sink)
  const gateway = await createGateway({
    databaseUrl,
    config: loadConfig({ env: {}, file: undefined, cwd: '/nonexistent', flags: { logLevel: 'warn', ...config } }),
    logger,
    onProgress: () => {},
  })
  return { gateway, log, close: () => gateway.close() }
}
