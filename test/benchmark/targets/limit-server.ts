/**
 * The "limit server": the least a Node server can do for the benchmark's operations. node:http and
 * a `pg` pool; each request names an operation and its variables
 * (`POST /query {"operation": "list", "variables": {...}}`) and is answered by one prepared
 * statement whose single text value is the whole response body, sent as is.
 *
 *     node --import tsx test/benchmark/targets/limit-server.ts --database-url URL --port N
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import pg from 'pg'
import type { OperationParams } from '../operations.ts'
import { parseServerArgs } from './server-args.ts'
import { LIMIT_SQL, limitValues, type LimitOperation } from './limit-sql.ts'

const args = parseServerArgs()
// Sessions in UTC: timestamps come out of PostgreSQL's JSON as `...+00:00`, as Portico's are in UTC.
const pool = new pg.Pool({ connectionString: args.databaseUrl, max: args.poolSize, options: '-c TimeZone=UTC' })
pool.on('error', (error) => console.error(`pool: ${error.message}`))

const isOperation = (name: unknown): name is LimitOperation => typeof name === 'string' && Object.hasOwn(LIMIT_SQL, name)

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET' && req.url === '/readyz') {
    await pool.query('SELECT 1')
    return send(res, 200, '{"ready":true}')
  }
  if (req.method !== 'POST' || req.url !== '/query') return send(res, 404, '{"errors":[{"message":"POST /query"}]}')
  const request = JSON.parse(await readBody(req)) as { operation?: unknown; variables?: unknown }
  if (!isOperation(request.operation)) return send(res, 400, '{"errors":[{"message":"unknown operation"}]}')
  const operation = request.operation
  const result = await pool.query<[string]>({
    name: operation,
    text: LIMIT_SQL[operation],
    values: limitValues(operation, request.variables as OperationParams[LimitOperation]),
    rowMode: 'array',
  })
  send(res, 200, result.rows[0]?.[0] ?? '{"data":null}')
}

const server = createServer((req, res) => {
  answer(req, res).catch((error: unknown) => {
    if (!res.headersSent) send(res, 500, JSON.stringify({ errors: [{ message: (error as Error).message }] }))
    else res.destroy()
  })
})
server.keepAliveTimeout = 60_000
server.listen(args.port, args.host, () => console.error(`limit server listening on ${args.host}:${args.port}`))

const stop = () => {
  server.close()
  server.closeAllConnections()
  void pool.end().finally(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
