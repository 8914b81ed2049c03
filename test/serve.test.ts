// 'graphql/index.js', not 'graphql': vitest would load graphql's ESM build for this file while
// Yoga gets the CJS build from Node, and a schema from one copy is rejected by the other.
import { GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql/index.js'
import { createServer, request as httpRequest } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { ClientError } from '../src/errors.js'
import { listen } from '../src/serve/http-server.js'
import type { Readiness } from '../src/serve/readiness.js'
import { installShutdown } from '../src/serve/shutdown.js'
import { createPorticoYoga, MASKED_ERROR_MESSAGE } from '../src/serve/yoga.js'

const SQL = 'SELECT secret FROM users WHERE id = 1'

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: { type: GraphQLString, args: { name: { type: GraphQLString } }, resolve: (_, { name }) => `hello ${name ?? 'world'}` },
      double: { type: GraphQLInt, args: { n: { type: new GraphQLNonNull(GraphQLInt) } }, resolve: (_, { n }) => n * 2 },
      secret: {
        type: GraphQLString,
        resolve: () => {
          throw new Error(`relation "users" does not exist: ${SQL}`)
        },
      },
      forbidden: {
        type: GraphQLString,
        resolve: () => {
          throw new ClientError('you may not read this', 'FORBIDDEN')
        },
      },
      whoami: { type: GraphQLString, resolve: (_, __, context: { user?: string }) => context.user ?? null },
    },
  }),
})

/** A pino logger whose JSON lines land in an array. */
function memoryLogger() {
  const lines: Record<string, any>[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  return { logger, lines }
}

function setup(readiness: Readiness = { check: async () => true }) {
  const { logger, lines } = memoryLogger()
  const yoga = createPorticoYoga({ schema, logger, readiness, context: (request) => ({ user: request.headers.get('x-user') ?? undefined }) })
  return { yoga, lines }
}

const post = (body: unknown, accept = 'application/json', headers: Record<string, string> = {}) =>
  new Request('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('GraphQL over HTTP', () => {
  it('serves GraphiQL titled Portico to a browser: a small page naming its files, no CDN', async () => {
    const response = await setup().yoga.fetch('http://portico.test/graphql', { headers: { accept: 'text/html' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    const html = await response.text()
    expect(html).toContain('<title>Portico</title>')
    // Not the 9 MB document with everything inlined: a page of a few hundred bytes.
    expect(html.length).toBeLessThan(4_000)
    // Everything GraphiQL needs comes from this server: no script, style or icon from a CDN.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']?(https?:)?\/\//i)
    const files = [...html.matchAll(/graphiql\/([\w.-]+\.[0-9a-f]{16}\.(js|css|ico))/g)].map((m) => m[1])
    expect(files.filter((f) => /^graphiql\.[0-9a-f]{16}\.js$/.test(f!))).toHaveLength(1)
    expect(files.filter((f) => /^graphiql\.[0-9a-f]{16}\.css$/.test(f!))).toHaveLength(1)
    expect(files.filter((f) => /^(editor|json|graphql)\.worker\.[0-9a-f]{16}\.js$/.test(f!))).toHaveLength(3)
    expect(files.filter((f) => /^favicon\./.test(f!))).toHaveLength(1)
  })

  it("serves GraphiQL's files compressed as accepted, cacheable for a year, 304 on their ETag", async () => {
    const { yoga } = setup()
    const html = await (await yoga.fetch('http://portico.test/graphql', { headers: { accept: 'text/html' } })).text()
    const script = /src="(graphiql\/graphiql\.([0-9a-f]{16})\.js)"/.exec(html)!
    const url = `http://portico.test/${script[1]}`
    const { js, css } = await import('@graphql-yoga/render-graphiql/graphiql')

    const br = await yoga.fetch(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(br.status).toBe(200)
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(br.headers.get('etag')).toBe(`"${script[2]}"`)
    expect(br.headers.get('vary')).toBe('accept-encoding')
    const compressed = Buffer.from(await br.arrayBuffer())
    expect(compressed.length).toBeLessThan(js.length / 3)
    expect(brotliDecompressSync(compressed).toString()).toBe(js)

    const gz = await yoga.fetch(url, { headers: { 'accept-encoding': 'gzip' } })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(js)

    const plain = await yoga.fetch(url, { headers: { 'accept-encoding': 'identity' } })
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(await plain.text()).toBe(js)

    const again = await yoga.fetch(url, { headers: { 'accept-encoding': 'br', 'if-none-match': `"${script[2]}"` } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect(again.headers.get('etag')).toBe(`"${script[2]}"`)

    const style = /href="(graphiql\/graphiql\.[0-9a-f]{16}\.css)"/.exec(html)![1]
    const styleResponse = await yoga.fetch(`http://portico.test/${style}`, { headers: { 'accept-encoding': 'br' } })
    expect(styleResponse.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(brotliDecompressSync(Buffer.from(await styleResponse.arrayBuffer())).toString()).toBe(css)

    expect((await yoga.fetch('http://portico.test/graphiql/graphiql.0000000000000000.js')).status).toBe(404)
  })

  it('serves no GraphiQL files when GraphiQL is off', async () => {
    const yoga = createPorticoYoga({ schema, logger: memoryLogger().logger, readiness: { check: async () => true }, context: () => ({}), graphiql: false })
    const html = await (await setup().yoga.fetch('http://portico.test/graphql', { headers: { accept: 'text/html' } })).text()
    const script = /src="(graphiql\/[^"]+)"/.exec(html)![1]
    expect((await yoga.fetch(`http://portico.test/${script}`)).status).toBe(404)
  })

  it('answers GET queries', async () => {
    const response = await setup().yoga.fetch(`http://portico.test/graphql?query=${encodeURIComponent('{ hello }')}`, { headers: { accept: 'application/json' } })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ data: { hello: 'hello world' } })
  })

  it('answers POST queries with variables, and passes the request to the context factory', async () => {
    const response = await setup().yoga.fetch(post({ query: 'query Q($n: String) { hello(name: $n) whoami }', variables: { n: 'ada' } }, 'application/json', { 'x-user': 'grace' }))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(await response.json()).toEqual({ data: { hello: 'hello ada', whoami: 'grace' } })
  })

  it('answers application/graphql-response+json when asked for it', async () => {
    const response = await setup().yoga.fetch(post({ query: '{ hello }' }, 'application/graphql-response+json'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/graphql-response+json')
    expect(await response.json()).toEqual({ data: { hello: 'hello world' } })
  })

  it('rejects a malformed query with 400 and the syntax error', async () => {
    const response = await setup().yoga.fetch(post({ query: '{ hello' }, 'application/graphql-response+json'))
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body.data).toBeUndefined()
    expect(body.errors[0].message).toMatch(/^Syntax Error: Expected Name, found <EOF>/)
  })

  it('rejects an unknown field with 400 and names it', async () => {
    const response = await setup().yoga.fetch(post({ query: '{ nope }' }, 'application/graphql-response+json'))
    expect(response.status).toBe(400)
    expect((await response.json()).errors[0].message).toBe('Cannot query field "nope" on type "Query".')
  })

  it('rejects a body that is not JSON with 400', async () => {
    const response = await setup().yoga.fetch(post('{"query": ', 'application/json'))
    expect(response.status).toBe(400)
    expect((await response.json()).errors[0].message).toMatch(/POST body sent invalid JSON/)
  })

  it('explains wrong variables', async () => {
    const response = await setup().yoga.fetch(post({ query: 'query D($n: Int!) { double(n: $n) }', variables: { n: 'two' } }, 'application/graphql-response+json'))
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body.errors[0].message).toBe('Variable "$n" got invalid value "two"; Int cannot represent non-integer value: "two"')
  })

  it('explains a missing required variable', async () => {
    const response = await setup().yoga.fetch(post({ query: 'query D($n: Int!) { double(n: $n) }' }, 'application/json'))
    expect((await response.json()).errors[0].message).toBe('Variable "$n" of required type "Int!" was not provided.')
  })

  it('refuses mutations over GET (405)', async () => {
    const response = await setup().yoga.fetch(`http://portico.test/graphql?query=${encodeURIComponent('mutation { x }')}`, { headers: { accept: 'application/json' } })
    expect(response.status).toBe(405)
  })
})

describe('error masking', () => {
  it('hides an unexpected error from the client and logs it in full with request id and operation name', async () => {
    const { yoga, lines } = setup()
    const response = await yoga.fetch(post({ query: 'query Leaky { hello secret }', operationName: 'Leaky' }, 'application/json', { 'x-request-id': 'req-42' }))
    const text = await response.text()
    expect(text).not.toContain('SELECT')
    expect(text).not.toContain('users')
    expect(text).not.toContain('stack')
    const body = JSON.parse(text)
    expect(body.data).toEqual({ hello: 'hello world', secret: null })
    expect(body.errors).toHaveLength(1)
    expect(body.errors[0].message).toBe(MASKED_ERROR_MESSAGE)
    expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR')
    expect(body.errors[0].path).toEqual(['secret'])
    expect(response.headers.get('x-request-id')).toBe('req-42')

    const errors = lines.filter((line) => line.level >= 50)
    expect(errors).toHaveLength(1) // logged once, not again by Yoga's own masking
    expect(errors[0]).toMatchObject({ requestId: 'req-42', operationName: 'Leaky', path: 'secret', err: { message: expect.stringContaining(SQL) } })
    expect(errors[0]!.err.stack).toContain('serve.test.ts')
  })

  it('keeps the masking when NODE_ENV=development', async () => {
    const before = process.env.NODE_ENV
    process.env.NODE_ENV = 'development'
    try {
      const text = await (await setup().yoga.fetch(post({ query: '{ secret }' }))).text()
      expect(text).not.toContain('SELECT')
    } finally {
      process.env.NODE_ENV = before
    }
  })

  it('gives each request an id when the client sends none', async () => {
    const { yoga, lines } = setup()
    const response = await yoga.fetch(post({ query: '{ secret }' }))
    const id = response.headers.get('x-request-id')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(lines.find((line) => line.level >= 50)?.requestId).toBe(id)
  })

  it('passes a ClientError through with its message and code, without logging it as an error', async () => {
    const { yoga, lines } = setup()
    const body = await (await yoga.fetch(post({ query: '{ forbidden }' }))).json()
    expect(body.errors[0]).toMatchObject({ message: 'you may not read this', path: ['forbidden'], extensions: { code: 'FORBIDDEN' } })
    expect(lines.filter((line) => line.level >= 50)).toEqual([])
  })

  it('masks an error thrown by the context factory', async () => {
    const { logger, lines } = memoryLogger()
    const yoga = createPorticoYoga({
      schema,
      logger,
      readiness: { check: async () => true },
      context: () => {
        throw new Error(`could not check out a connection: ${SQL}`)
      },
    })
    const response = await yoga.fetch(post({ query: 'query Ctx { hello }' }))
    const text = await response.text()
    expect(response.status).toBe(500)
    expect(text).not.toContain('SELECT')
    expect(JSON.parse(text).errors[0]).toMatchObject({ message: MASKED_ERROR_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } })
    const errors = lines.filter((line) => line.level >= 50)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ operationName: 'Ctx', err: { message: expect.stringContaining(SQL) } })
  })
})

describe('health checks', () => {
  it('/healthz answers 200 ok', async () => {
    const response = await setup({ check: async () => false }).yoga.fetch('http://portico.test/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  it('/readyz answers 200 while ready', async () => {
    const response = await setup({ check: async () => true }).yoga.fetch('http://portico.test/readyz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ready' })
  })

  it('/readyz answers 503 with the reason while not ready', async () => {
    const readiness: Readiness = {
      async check() {
        readiness.reason = 'database unavailable (ECONNREFUSED)'
        return false
      },
    }
    const response = await setup(readiness).yoga.fetch('http://portico.test/readyz')
    expect(response.status).toBe(503)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(await response.json()).toEqual({ status: 'unavailable', reason: 'database unavailable (ECONNREFUSED)' })
  })

  it('/readyz answers 503 when the check itself throws, without its message', async () => {
    const { yoga, lines } = setup({ check: async () => Promise.reject(new Error(`boom ${SQL}`)) })
    const response = await yoga.fetch('http://portico.test/readyz')
    expect(response.status).toBe(503)
    expect(await response.text()).not.toContain('SELECT')
    expect(lines.some((line) => line.level >= 50 && line.err.message.includes(SQL))).toBe(true)
  })

  it('an unknown path is a 404', async () => {
    expect((await setup().yoga.fetch('http://portico.test/nope')).status).toBe(404)
  })
})

describe('listen and graceful shutdown', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step()
  })

  /** A GET over a real keep-alive socket. */
  const get = (url: string) =>
    new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
      httpRequest(url, { headers: { accept: 'application/json', connection: 'keep-alive' } }, (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => (body += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection }))
      })
        .on('error', reject)
        .end()
    })

  it('serves on a real port and reports its URL', async () => {
    const { logger } = memoryLogger()
    const server = await listen(setup().yoga, { host: '127.0.0.1', port: 0, logger })
    cleanup.push(server.close)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/graphql`)
    const response = await get(`${server.url}?query=${encodeURIComponent('{ hello }')}`)
    expect(JSON.parse(response.body)).toEqual({ data: { hello: 'hello world' } })
  })

  it('explains a port already in use', async () => {
    const { logger } = memoryLogger()
    const taken = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => taken.once('listening', resolve))
    cleanup.push(() => new Promise((resolve) => taken.close(() => resolve())))
    const port = (taken.address() as { port: number }).port
    await expect(listen(setup().yoga, { host: '127.0.0.1', port, logger })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`)
  })

  it('lets an in-flight request finish, then closes the server and the pool in order and exits 0', async () => {
    const { logger } = memoryLogger()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const slowSchema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { slow: { type: GraphQLString, resolve: async () => (await gate, 'done') } } }),
    })
    const yoga = createPorticoYoga({ schema: slowSchema, logger, readiness: { check: async () => true }, context: () => ({}) })
    const server = await listen(yoga, { host: '127.0.0.1', port: 0, logger, graceMs: 5_000 })
    const order: string[] = []
    const exits: number[] = []
    const handle = installShutdown(
      [
        { name: 'http', close: async () => (await server.close(), void order.push('http')) },
        { name: 'pool', close: async () => void order.push('pool') },
      ],
      logger,
      { signals: [], exit: (code) => void exits.push(code) },
    )
    cleanup.push(async () => handle.dispose())

    const inFlight = get(`${server.url}?query=${encodeURIComponent('{ slow }')}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const stopping = handle.shutdown('test')
    await new Promise((resolve) => setTimeout(resolve, 50))
    await expect(get(`${server.url}?query=${encodeURIComponent('{ slow }')}`)).rejects.toThrow(/ECONNREFUSED/)
    expect(order).toEqual([])
    release()
    expect(JSON.parse((await inFlight).body)).toEqual({ data: { slow: 'done' } })
    expect(await stopping).toBe(0)
    expect(order).toEqual(['http', 'pool'])
    expect(exits).toEqual([0])
  })

  it('cuts requests that outlive the grace period', async () => {
    const { logger } = memoryLogger()
    const hang = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { hang: { type: GraphQLString, resolve: () => new Promise(() => {}) } } }),
    })
    const yoga = createPorticoYoga({ schema: hang, logger, readiness: { check: async () => true }, context: () => ({}) })
    const server = await listen(yoga, { host: '127.0.0.1', port: 0, logger, graceMs: 100 })
    const request = get(`${server.url}?query=${encodeURIComponent('{ hang }')}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(2_000)
    await expect(request).rejects.toThrow(/socket hang up|ECONNRESET/)
  })
})
