/**
 * How an operation travels: POST with JSON (the usual way), GET with query parameters, the other
 * content types Yoga reads (application/graphql, forms, multipart), and content types it must
 * refuse; Accept headers of every kind; bodies with invalid UTF-8 bytes, truncated or padded; and
 * request envelopes that are malformed whatever the document (./checks.ts judges the answers).
 */
import type { Operation } from './documents.js'
import { hostileString, SQL_STRINGS } from './hostile.js'
import type { Random } from './random.js'

export interface FuzzRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Uint8Array
  /** How the request was made, for the failure report. */
  how: string
}

const ACCEPTS = [
  'application/graphql-response+json',
  'application/json',
  'application/graphql-response+json, application/json;q=0.9',
  '*/*',
  '',
  'text/event-stream',
  'multipart/mixed',
  'application/xml',
  'application/json; charset=latin1',
]

/** Byte sequences that are not UTF-8: a lone continuation, overlong forms, a surrogate, truncations. */
const BAD_UTF8 = [[0xff], [0xfe, 0xff], [0x80], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x00]]

export function jsonBody(op: Operation): string {
  const parts = [`"query":${JSON.stringify(op.document)}`]
  if (op.operationName !== undefined) parts.push(`"operationName":${JSON.stringify(op.operationName)}`)
  if (op.variables !== undefined) parts.push(`"variables":${op.variables}`)
  return `{${parts.join(',')}}`
}

function headers(r: Random, contentType?: string): Record<string, string> {
  const h: Record<string, string> = {}
  if (contentType !== undefined) h['content-type'] = contentType
  const accept = r.chance(0.85) ? 'application/graphql-response+json' : r.pick(ACCEPTS)
  if (accept) h.accept = accept
  // What a GraphQL client sends so that CSRF prevention lets GET, form and multipart requests through.
  if (r.chance(0.9)) h['x-graphql-yoga-csrf'] = '1'
  if (r.chance(0.05)) h['idempotency-key'] = encodeHeader(hostileString(r))
  if (r.chance(0.05)) h['x-request-id'] = encodeHeader(r.pick([...SQL_STRINGS, 'a'.repeat(500), 'ok-id-1']))
  return h
}

/** Header values must be printable ASCII here (fetch refuses the rest); anything else goes in as hex. */
const encodeHeader = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('hex')).slice(0, 4000)

/** The operation sent one of many ways; mostly the ordinary one. */
export function envelope(r: Random, op: Operation, options: { valid?: boolean } = {}): FuzzRequest {
  const body = jsonBody(op)
  // A strict case is sent as clients send it, so what decides its answer is the operation.
  if (options.valid) return { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body, how: 'POST json' }
  const how = r.weighted<string>([
    [62, 'POST json'],
    [12, 'GET'],
    [4, 'POST application/graphql'],
    [4, 'POST form'],
    [3, 'POST multipart'],
    [10, 'POST json, corrupted'],
    [3, 'POST wrong content type'],
    [2, 'POST json with charset'],
  ])
  switch (how) {
    case 'GET': {
      const params = new URLSearchParams({ query: op.document })
      if (op.operationName !== undefined) params.set('operationName', op.operationName)
      if (op.variables !== undefined) params.set('variables', op.variables)
      let query = params.toString()
      // A broken percent-escape or a variables parameter that is not JSON.
      if (r.chance(0.1)) query = r.chance(0.5) ? query.replace(/%[0-9A-F]{2}/, '%ZZ') : `${query}&variables=${r.pick(['%7Bbad', 'null', '[]', '%22x%22', '1', '%FF'])}`
      if (r.chance(0.05)) query = `${query}&extensions=${r.pick(['%7Bbad', '1', '%7B%22persistedQuery%22%3A1%7D'])}`
      return { method: 'GET', path: `/graphql?${query}`, headers: headers(r), how }
    }
    case 'POST application/graphql':
      return { method: 'POST', path: '/graphql', headers: headers(r, 'application/graphql'), body: op.document, how }
    case 'POST form': {
      const params = new URLSearchParams({ query: op.document })
      if (op.variables !== undefined) params.set('variables', r.chance(0.8) ? op.variables : '{bad')
      return { method: 'POST', path: '/graphql', headers: headers(r, 'application/x-www-form-urlencoded'), body: params.toString(), how }
    }
    case 'POST multipart': {
      const boundary = 'fuzzboundary'
      const form = `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${body}\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${r.pick(['{}', '{"0":["variables.file"]}', 'not json'])}\r\n--${boundary}--\r\n`
      return { method: 'POST', path: '/graphql', headers: headers(r, `multipart/form-data; boundary=${boundary}`), body: r.chance(0.8) ? form : form.slice(0, r.int(form.length)), how }
    }
    case 'POST json, corrupted':
      return { method: 'POST', path: '/graphql', headers: headers(r, 'application/json'), body: corrupt(r, body), how: `${how}` }
    case 'POST wrong content type':
      return { method: 'POST', path: '/graphql', headers: headers(r, r.pick(['text/plain', 'application/xml', 'application/octet-stream', '', 'application/jsonx', 'json'])), body, how }
    case 'POST json with charset':
      return { method: 'POST', path: '/graphql', headers: headers(r, r.pick(['application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json;charset=UTF-16', 'APPLICATION/JSON'])), body, how }
    default:
      return { method: 'POST', path: '/graphql', headers: headers(r, 'application/json'), body, how }
  }
}

/** Invalid UTF-8 bytes in the body (inside strings or anywhere), or the body cut, padded or prefixed. */
function corrupt(r: Random, body: string): Uint8Array | string {
  const bytes = Buffer.from(body, 'utf8')
  const kind = r.pick(['bytes in a string', 'bytes anywhere', 'truncated', 'trailing garbage', 'BOM', 'many spaces'])
  switch (kind) {
    case 'bytes in a string': {
      // Right after an opening quote: inside the query or a variable's string.
      const quotes = [...body.matchAll(/"(?!:)/g)].map((m) => Buffer.byteLength(body.slice(0, m.index! + 1)))
      const at = quotes.length ? r.pick(quotes) : r.int(bytes.length)
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(r.pick(BAD_UTF8)), bytes.subarray(at)])
    }
    case 'bytes anywhere': {
      const at = r.int(bytes.length)
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(r.pick(BAD_UTF8)), bytes.subarray(at)])
    }
    case 'truncated':
      return bytes.subarray(0, r.int(bytes.length))
    case 'trailing garbage':
      return `${body}${r.pick(['}', ',', 'x', '\u0000', ' {"query":"{ __typename }"}'])}`
    case 'BOM':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])
    default:
      return `${' '.repeat(r.pick([1000, 100_000]))}${body}`
  }
}

/** Request envelopes that are wrong whatever the document. */
export function malformedRequest(r: Random): FuzzRequest {
  const json = (body: string): FuzzRequest => ({ method: 'POST', path: '/graphql', headers: headers(r, 'application/json'), body, how: 'POST malformed envelope' })
  const ok = '{ __typename }'
  return r.pick<() => FuzzRequest>([
    () => json(''),
    () => json('null'),
    () => json('[]'),
    () => json('"x"'),
    () => json('1e400'),
    () => json(`[{"query":"${ok}"},{"query":"${ok}"}]`),
    () => json('{'),
    () => json(`{"query":${r.pick(['1', 'null', 'true', '[]', '{}', '"\\u0000"'])}}`),
    () => json(`{"query":"${ok}","variables":${r.pick(['"x"', '[]', '1', 'true', '"{}"'])}}`),
    () => json(`{"query":"${ok}","extensions":${r.pick(['"x"', '[]', '1', '{"persistedQuery":{"version":1,"sha256Hash":"abc"}}', '{"persistedQuery":1}'])}}`),
    () => json(`{"query":"${ok}","operationName":${r.pick(['1', '[]', '{}', 'true', '"\\u0000"'])}}`),
    () => json(`{"query":"${ok}","query":"{ __schema { types { name } } }"}`),
    () => json(`{"__proto__":{"query":"${ok}"}}`),
    () => json(`{"query":"${ok}",${'"x":1,'.repeat(10_000)}"y":1}`),
    () => json(`{"query":"${ok}","variables":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`),
    () => json(`{"query":"${ok}","variables":{"v":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`),
    () => ({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', 'content-length': '-1' }, body: `{"query":"${ok}"}`, how: 'negative content-length' }),
    () => ({ method: r.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']), path: '/graphql', headers: headers(r, 'application/json'), body: `{"query":"${ok}"}`, how: 'other method' }),
    () => ({ method: 'GET', path: '/graphql', headers: { accept: 'application/json' }, how: 'GET without query' }),
    () => ({ method: 'GET', path: `/graphql?query=${encodeURIComponent(ok)}&variables=${r.pick(['%7Bbad', '%ZZ', '%FF%FE'])}`, headers: { accept: 'application/json' }, how: 'GET with bad variables' }),
    () => ({ method: 'GET', path: `/graphql?query=${r.pick(['%ZZ', '%FF', '%00', '%E0%A4%A'])}`, headers: { accept: 'application/json' }, how: 'GET with a broken escape' }),
  ])()
}
