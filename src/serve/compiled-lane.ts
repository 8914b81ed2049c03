/**
 * The compiled lane: a fast path in front of Yoga for the requests that make up most traffic: a
 * JSON POST of a query that Portico has already answered with one compiled statement
 * (./use-compiled-reads.ts). Yoga's pipeline (whatwg-node's Request/Response, a dozen plugin
 * hooks, the result processors) costs more CPU per request than the whole answer does on a light
 * operation, so such a request is answered here: its body is read, the document found in a table
 * filled by Yoga itself, the statement run and its text written in one `end()`.
 *
 * The lane keeps every behaviour, because it only takes what Yoga has already accepted:
 * - a document enters the table only after Yoga parsed, validated (depth, aliases, directives,
 *   tokens), nesting-checked and ran it through the compiled path for a request the lane saw: the
 *   same text and operation name are the same verdicts. Persisted operations sent by id never
 *   enter it (their text is not the client's), so `only` still refuses a client's own document.
 * - per request it checks what depends on the request: the body limit, the variables' nesting,
 *   the token (auth), the variables' types, the cost (which depends on the variables); and it
 *   counts the metrics, writes the request-log line and echoes the request id as Yoga's plugins do.
 * - anything else (another method, path or content type, an Origin header (CORS), an Accept it
 *   does not answer (`text/event-stream`: SSE), a single-connection SSE stream's token, extensions or a document id, a refused token, a cost over the limit, a
 *   statement that fails) goes to Yoga with the body already read, and Yoga answers it, errors,
 *   masking and logging included. A statement that failed here is not run again there.
 *
 * Live data never comes here: a `@live` query is not compiled by useCompiledReads, so it never
 * enters the table; WebSocket upgrades are the HTTP server's `upgrade` event, not requests.
 *
 * It has two entries: a node:http handler (`portico serve`) and `fetch`, which tests use, so the
 * suite runs through it as clients do.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql'
import type pg from 'pg'
import type { PorticoConfig } from '../config/config.js'
import { RequestSession, type SessionIdentity } from '../db/request-session.js'
import type { Logger } from '../log.js'
import type { CompiledOperation } from '../planner/compile-operation.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import type { TokenVerifier } from '../auth/verify-token.js'
import { operationCost } from './list-cost.js'
import type { Metrics } from './metrics.js'
import { MAX_NESTING, valueNesting } from './use-request-guards.js'
import { validRequestId, type PorticoYoga } from './yoga.js'

/** What `portico serve` listens with and tests fetch from: the lane, then Yoga. */
export interface PorticoServer {
  (request: IncomingMessage, response: ServerResponse): Promise<void>
  /** Yoga's fetch signature: tests call it as they would call Yoga. */
  fetch: PorticoYoga['fetch']
  graphqlEndpoint: string
  /** Requests the lane answered itself (the rest went to Yoga): for tests and diagnostics. */
  readonly lane: { answered: number }
}

export interface LaneOptions {
  yoga: PorticoYoga
  schema: GraphQLSchema
  planner: ReadPlanner
  config: Pick<PorticoConfig, 'limits' | 'defaultPageSize' | 'maxPageSize'>
  logger: Logger
  metrics: Metrics
  pool: pg.Pool
  /** With auth: the token verifier (the lane runs the statement in the request's session). */
  verify?: TokenVerifier
  /** Off (e.g. with tracing, whose spans are Yoga's plugin's): everything goes to Yoga. */
  enabled: boolean
}

/** What useCompiledReads asks of the lane and tells it. */
export interface LaneLink {
  /** A compiled operation answered a request: its document may enter the table. */
  compiled(request: Request | undefined, document: DocumentNode, operationName: string | null | undefined): void
  /** The error of a compiled statement the lane already ran for this request (not run again). */
  failure(request: Request | undefined): { error: unknown } | undefined
}

interface Entry {
  document: DocumentNode
  /** As the request named it (the plan's key), and the operation's own name (logs, metrics). */
  operationName: string | undefined
  name: string | undefined
  /** Plans per variables (their JSON): the compiled statement and whether its cost is within the limit. */
  plans: Map<string, CompiledOperation | null>
}

interface Body {
  query: string
  operationName?: string | null
  variables?: Record<string, unknown> | null
}

/** Per lane: documents (by operation name and text), and plans per document. */
const MAX_DOCUMENTS = 1_000
const MAX_PLANS_PER_DOCUMENT = 100
const JSON_MEDIA_TYPES = ['application/graphql-response+json', 'application/json']

/** A Map used as an LRU: a hit moves the key last; the first key is the oldest. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > max) map.delete(map.keys().next().value as K)
}

export function createLaneLink(): LaneLink & { expect(request: Request, key: string): void; learned(key: string): Entry | undefined; fail(request: Request, error: unknown): void } {
  const expected = new WeakMap<Request, string>()
  const failures = new WeakMap<Request, { error: unknown }>()
  const documents = new Map<string, Entry>()
  return {
    expect: (request, key) => expected.set(request, key),
    fail: (request, error) => failures.set(request, { error }),
    learned(key) {
      const entry = documents.get(key)
      if (entry) touch(documents, key, entry, MAX_DOCUMENTS)
      return entry
    },
    compiled(request, document, operationName) {
      const key = request && expected.get(request)
      if (key === undefined || documents.has(key)) return
      touch(documents, key, { document, operationName: operationName ?? undefined, name: getOperationAST(document, operationName)?.name?.value, plans: new Map() }, MAX_DOCUMENTS)
    },
    failure: (request) => (request ? failures.get(request) : undefined),
  }
}

/**
 * Yoga's response type for a single result and this Accept header (graphql-yoga's
 * use-result-processor: the regular processor is tried last, so it wins whenever one of its types
 * matches, and of its matches the last one in its loop order), or undefined: Yoga answers a 406.
 */
export function jsonMediaType(accept: string | null): string | undefined {
  let chosen: string | undefined
  for (const item of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',').reverse()) {
    const [type, ...params] = item.split(';')
    if (!type || (params.find((p) => p.includes('charset=')) ?? 'charset=utf-8') !== 'charset=utf-8') continue
    const [pre, suf] = type.split('/')
    for (const candidate of JSON_MEDIA_TYPES) {
      const [cPre, cSuf] = candidate.split('/')
      if ((pre === '*' || pre === cPre) && (suf === '*' || suf === cSuf)) chosen = candidate
    }
  }
  return chosen
}

export function createPorticoServer(options: LaneOptions, link: ReturnType<typeof createLaneLink>): PorticoServer {
  const { yoga, logger, metrics } = options
  const endpoint = yoga.graphqlEndpoint
  const { maxBodyBytes, maxCost } = options.config.limits
  const stats = { answered: 0 }

  /** A request the lane may take, judged on its head alone; else undefined. */
  const mediaTypeOf = (method: string | undefined, path: string | undefined, header: (name: string) => string | null): string | undefined => {
    if (!options.enabled || method !== 'POST' || path !== endpoint) return undefined
    const contentType = header('content-type')
    if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) return undefined
    if (header('origin') !== null) return undefined
    // An operation on a single-connection SSE stream (./use-graphql-sse.ts): its result goes to the stream.
    if (header('x-graphql-event-stream-token') !== null) return undefined
    const length = header('content-length')
    if (length !== null && Number(length) > maxBodyBytes) return undefined
    return jsonMediaType(header('accept'))
  }

  const parseBody = (text: string): Body | undefined => {
    if (text.length > maxBodyBytes) return undefined
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return undefined
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
    for (const key of Object.keys(body)) if (key !== 'query' && key !== 'operationName' && key !== 'variables') return undefined
    const { query, operationName, variables } = body as Body
    if (typeof query !== 'string' || (operationName != null && typeof operationName !== 'string')) return undefined
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined
    return body as Body
  }

  const keyOf = (body: Body) => `${body.operationName ?? ''}\u0000${body.query}`

  /** The plan for these variables: null when Yoga must answer (they do not coerce, the cost is over the limit...). */
  const planOf = (entry: Entry, variables: Record<string, unknown> | null | undefined): CompiledOperation | null => {
    if (variables && valueNesting(variables) > MAX_NESTING) return null
    let key: string
    try {
      key = variables ? JSON.stringify(variables) : ''
    } catch {
      return null
    }
    const known = entry.plans.get(key)
    if (known !== undefined) return known
    const cost = operationCost(options.schema, entry.document, entry.operationName, variables, options.config)
    const compiled = cost !== undefined && cost <= maxCost ? options.planner.compileOperation(options.schema, entry.document, entry.operationName, variables) : null
    touch(entry.plans, key, compiled, MAX_PLANS_PER_DOCUMENT)
    return compiled
  }

  interface Answer {
    /** The `data` member's JSON text, as PostgreSQL wrote it. */
    data: string
    requestId: string
  }

  /**
   * The lane itself: the answer, or undefined when Yoga must answer. `fail` is called when the
   * statement failed (Yoga then reports it without running it again).
   */
  const answer = async (body: Body | undefined, header: (name: string) => string | null, started: number, url: string, fail: (error: unknown) => void): Promise<Answer | undefined> => {
    if (!body) return undefined
    const entry = link.learned(keyOf(body))
    if (!entry) return undefined
    let identity: SessionIdentity | undefined
    if (options.verify) {
      try {
        identity = await options.verify(header('authorization'))
      } catch {
        return undefined
      }
    }
    const compiled = planOf(entry, body.variables)
    if (!compiled) return undefined
    let text: string
    try {
      text = identity ? await RequestSession.run(options.pool, identity, () => options.planner.runOperation(compiled), { readOnly: true }) : await options.planner.runOperation(compiled)
    } catch (error) {
      fail(error)
      return undefined
    }
    const given = header('x-request-id')
    const requestId = given && validRequestId(given) ? given : randomUUID()
    const operationName = body.operationName || entry.name
    metrics.observeCompiled({ operationName, method: 'POST', url, seconds: (performance.now() - started) / 1000 })
    if (logger.isLevelEnabled('info')) {
      const variables = body.variables ? Object.keys(body.variables) : []
      logger.info(
        {
          requestId,
          operationName,
          operationType: 'query',
          status: 200,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          errors: 0,
          variables: variables.length ? variables : undefined,
        },
        'graphql request',
      )
    }
    stats.answered++
    return { data: text, requestId }
  }

  const rebuilt = (url: string, method: string, headers: HeadersInit, body: string) => new Request(url, { method, headers, body })

  /** Yoga answers, with the body already read; the lane learns from its compiled answer. */
  const toYoga = (request: Request, body: Body | undefined, error: { error: unknown } | undefined) => {
    if (body && !error) link.expect(request, keyOf(body))
    if (error) link.fail(request, error.error)
    return yoga.fetch(request)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now()
    const [path, search] = splitUrl(req.url ?? '/')
    const header = (name: string) => {
      const value = req.headers[name]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    }
    const mediaType = search ? undefined : mediaTypeOf(req.method, path, header)
    if (!mediaType) return yoga(req, res) as Promise<void>
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
    const url = `http://${req.headers.host ?? 'localhost'}${req.url}`
    const body = parseBody(text)
    let failed: { error: unknown } | undefined
    const done = await answer(body, header, started, url, (error) => (failed = { error }))
    if (done) {
      // The envelope around the data, written beside it: joined, a 150 KB answer would be copied
      // once more, into a string that only a full garbage collection frees. Corked: one writev.
      res.writeHead(200, { 'content-type': `${mediaType}; charset=utf-8`, 'content-length': Buffer.byteLength(done.data) + ENVELOPE_BYTES, 'x-request-id': done.requestId })
      res.cork()
      res.write(ENVELOPE_OPEN)
      res.write(done.data)
      res.end(ENVELOPE_CLOSE)
      return
    }
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    await writeResponse(await toYoga(rebuilt(url, 'POST', headers, text), body, failed), res)
  }

  const fetchEntry = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const started = performance.now()
    const request = input instanceof Request && init === undefined ? input : new Request(input, init)
    const url = new URL(request.url)
    const header = (name: string) => request.headers.get(name)
    const mediaType = url.search ? undefined : mediaTypeOf(request.method, url.pathname, header)
    if (!mediaType) return yoga.fetch(request)
    const text = await request.text()
    const body = parseBody(text)
    let failed: { error: unknown } | undefined
    const done = await answer(body, header, started, request.url, (error) => (failed = { error }))
    if (done) return new Response(`${ENVELOPE_OPEN}${done.data}${ENVELOPE_CLOSE}`, { status: 200, headers: { 'content-type': `${mediaType}; charset=utf-8`, 'x-request-id': done.requestId } })
    return toYoga(rebuilt(request.url, 'POST', request.headers, text), body, failed)
  }

  return Object.assign(handle, { fetch: fetchEntry as unknown as PorticoYoga['fetch'], graphqlEndpoint: endpoint, lane: stats })
}

const ENVELOPE_OPEN = '{"data":'
const ENVELOPE_CLOSE = '}'
const ENVELOPE_BYTES = ENVELOPE_OPEN.length + ENVELOPE_CLOSE.length

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?')
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q)]
}

/** A fetch Response onto node:http: status, headers, then the body as it comes. */
async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    headers[name] = name === 'set-cookie' ? response.headers.getSetCookie() : value
  })
  res.writeHead(response.status, response.statusText, headers)
  if (!response.body) return void res.end()
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk)
  res.end()
}
