/**
 * The one request pipeline for the transports that are not plain HTTP requests (WebSocket, the
 * single-connection mode of GraphQL over SSE): each operation they carry is sent through
 * `yoga.fetch` as a POST to the GraphQL endpoint, with the caller's Authorization header, so it
 * passes exactly what an HTTP request passes: auth, body limit, CSRF, persisted operations,
 * limits and cost, metrics, the request log, masked errors. Instead of writing an HTTP response,
 * the result (one result, or a stream) is handed back to the transport.
 */
import { randomUUID } from 'node:crypto'
import type { ExecutionResult, GraphQLFormattedError } from 'graphql'
import type { Plugin } from 'graphql-yoga'

export type PipelineResult = ExecutionResult | AsyncIterable<ExecutionResult>

export interface PipelineRequest {
  /** Headers the operation carries: authorization, x-request-id. */
  headers: Record<string, string | undefined>
  /** The GraphQL request: query (or a persisted operation id in extensions / documentId), variables, operationName. */
  params: Record<string, unknown>
}

interface YogaLike {
  fetch(request: Request): Response | Promise<Response>
  graphqlEndpoint: string
}

const PIPELINE_HEADER = 'x-portico-pipeline'

export class SubscribePipeline {
  private readonly waiting = new Map<string, (result: PipelineResult) => void>()
  private yoga?: YogaLike
  // Operations started and not yet ended (a stream until its end): `serve --watch` keeps a
  // swapped-out gateway open for them, as for its HTTP requests still in flight.
  private open = 0
  private idled: (() => void)[] = []

  /** Resolves once no operation of this pipeline is still running or streaming (at once if none is). */
  idle(): Promise<void> {
    if (this.open === 0) return Promise.resolve()
    return new Promise((resolve) => this.idled.push(resolve))
  }

  /** Counts an operation from its start to the end of its stream (or its one result). */
  private track(): { result(result: PipelineResult): PipelineResult; release(): void } {
    this.open += 1
    let released = false
    const release = () => {
      if (released) return
      released = true
      this.open -= 1
      if (this.open > 0) return
      for (const resolve of this.idled.splice(0)) resolve()
    }
    return { result: (result) => (isStream(result) ? counted(result, release) : (release(), result)), release }
  }

  /** Yoga plugin, last in the list: takes the result of the pipeline's own requests before it is written. */
  readonly plugin: Plugin = {
    onResultProcess: ({ request, result, setResultProcessor }) => {
      const id = request.headers.get(PIPELINE_HEADER)
      const take = id ? this.waiting.get(id) : undefined
      if (!take || !id) return
      this.waiting.delete(id)
      take(result as PipelineResult)
      setResultProcessor((_result, fetchAPI) => new fetchAPI.Response(null, { status: 204 }), 'application/json')
    },
  }

  /** The Yoga server (its fetch, with every plugin's request hooks) the operations go through. */
  bind(yoga: YogaLike): void {
    this.yoga = yoga
  }

  run(request: PipelineRequest): Promise<PipelineResult> {
    const yoga = this.yoga
    if (!yoga) return Promise.reject(new Error('the subscribe pipeline is not bound to a Yoga server'))
    const id = randomUUID()
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream', [PIPELINE_HEADER]: id }
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value
    const body = JSON.stringify(request.params)
    // Declared, so the body limit applies as to any request.
    headers['content-length'] = String(Buffer.byteLength(body))
    const tracked = this.track()
    return new Promise<PipelineResult>((resolve, reject) => {
      this.waiting.set(id, resolve)
      Promise.resolve(yoga.fetch(new Request(`http://portico.internal${yoga.graphqlEndpoint}`, { method: 'POST', headers, body })))
        .then(async (response) => {
          if (!this.waiting.delete(id)) return // the result was taken
          // Answered before any GraphQL result (a body too large, say): its JSON errors, or its status.
          const text = await response.text()
          try {
            const body = JSON.parse(text) as ExecutionResult
            if (Array.isArray(body.errors)) return resolve(body)
          } catch {
            // not JSON
          }
          resolve({ errors: [{ message: `The request was refused (HTTP ${response.status}).`, extensions: { code: 'REQUEST_REFUSED', status: response.status } }] } as never)
        })
        .catch((error: unknown) => {
          this.waiting.delete(id)
          reject(error as Error)
        })
    }).then(tracked.result, (error: unknown) => {
      tracked.release()
      throw error
    })
  }
}

/** An error as a client gets it: Yoga's internal `http` extension (status, headers) left out. */
export function formatError(error: unknown): GraphQLFormattedError {
  const formatted = (typeof (error as { toJSON?: unknown }).toJSON === 'function' ? (error as { toJSON(): GraphQLFormattedError }).toJSON() : error) as GraphQLFormattedError
  if (!formatted.extensions || !('http' in formatted.extensions)) return formatted
  const { http: _http, ...extensions } = formatted.extensions
  return { ...formatted, extensions }
}

export const isStream = (result: PipelineResult): result is AsyncIterable<ExecutionResult> =>
  typeof (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator] === 'function'

/** A result as the client gets it: a live result's data (parsed once per cohort), errors formatted. */
export function payloadOf(result: ExecutionResult): ExecutionResult {
  const payload: Record<string, unknown> = {}
  if (result.data !== undefined) payload.data = result.data
  if (result.errors?.length) payload.errors = result.errors.map(formatError)
  if (result.extensions) payload.extensions = result.extensions
  return payload as ExecutionResult
}

/** The stream, giving the connection's place back when it ends however it ends. */
export function counted<T>(stream: AsyncIterable<T>, release: () => void): AsyncIterableIterator<T> {
  const iterator = stream[Symbol.asyncIterator]()
  return {
    async next() {
      const step = await iterator.next().catch((error: unknown) => {
        release()
        throw error
      })
      if (step.done) release()
      return step
    },
    async return(value?: unknown) {
      release()
      return (await iterator.return?.(value)) ?? { value: undefined, done: true }
    },
    async throw(error?: unknown) {
      release()
      if (iterator.throw) return iterator.throw(error)
      throw error
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}

