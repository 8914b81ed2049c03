/** A real Portico server (HTTP, SSE, WebSocket) on a test database, and SQL beside it; statements counted. */
import pg from 'pg'
import { SignJWT } from 'jose'
import { loadConfig, type ConfigInput } from '../../src/config/config.js'
import { createGateway, type Gateway } from '../../src/gateway.js'
import { createLogger, type Logger } from '../../src/log.js'
import { listen, type RunningServer } from '../../src/serve/http-server.js'

export const LIVE_SECRET = 'a-live-test-secret-of-at-least-32-characters'

export interface LiveServer {
  gateway: Gateway
  server: RunningServer
  url: string
  sql: pg.Client
  statements: string[]
  close(): Promise<void>
}

/** `logger`: the gateway's (the request log's lines), silent unless given. */
export async function startLiveServer(databaseUrl: string, config: Partial<ConfigInput> = {}, options: { logger?: Logger } = {}): Promise<LiveServer> {
  const statements: string[] = []
  const gateway = await createGateway({
    databaseUrl,
    config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { schemas: ['api'], logLevel: 'silent', primaryKeys: { 'api.iotawatt': ['device', 'sensor', 'timestamp'] }, ...config } }),
    logger: options.logger ?? createLogger('silent'),
    onProgress: () => {},
    onQuery: (text) => statements.push(text),
  })
  const server = await listen(gateway.yoga, { host: '127.0.0.1', port: 0, logger: createLogger('silent'), attach: (http) => (gateway.live.attach(http), { close: gateway.live.close }) })
  const sql = new pg.Client({ connectionString: databaseUrl })
  await sql.connect()
  return {
    gateway,
    server,
    url: server.url,
    sql,
    statements,
    async close() {
      await sql.end()
      await server.close()
      await gateway.close()
    },
  }
}

export function liveToken(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(LIVE_SECRET))
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
