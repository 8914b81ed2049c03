/**
 * Failed PostgreSQL connections, explained. At start-up: one line that says what is wrong and what
 * to do. pg's own messages ("connect ECONNREFUSED ::1:5432", "28P01") leave a new user guessing,
 * and a careless message could print the URL with its password: nothing here ever includes it.
 * While serving: whether an error is the database being down or out of connections, and the
 * client error that says so (classifyDatabaseFailure, databaseFailureError).
 */
import pg from 'pg'
import { ClientError } from '../errors.js'

export class ConnectionError extends Error {
  override name = 'ConnectionError'
}

interface Target {
  host: string
  port: string
  database: string
  user: string
  password: string
}

/** One line, never containing the URL's password. */
export function explainConnectionError(error: unknown, url: string): string {
  const target = parseTarget(url)
  if (typeof target === 'string') return `the database URL is not valid: ${target}; write it as postgres://user:password@host:5432/database, percent-encoding any of @ : / ? # in the password`
  return redact(describe(error, target), target.password)
}

/** Connects once and disconnects; throws a ConnectionError carrying the explained line. */
export async function checkConnection(url: string, timeoutMs = 5_000): Promise<void> {
  // A malformed URL is reported without the parser's error, whose fields may echo the URL.
  if (typeof parseTarget(url) === 'string') throw new ConnectionError(explainConnectionError(undefined, url))
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, application_name: 'portico' })
  // Without a listener, a connection that breaks between connect() and end() would crash the process.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    throw new ConnectionError(explainConnectionError(error, url), { cause: error })
  } finally {
    await client.end().catch(() => {})
  }
}

function describe(error: unknown, t: Target): string {
  const { code, message } = errorFields(error)
  const at = `${t.host}:${t.port}`
  const cannot = `cannot connect to PostgreSQL at ${at}`
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to PostgreSQL: host "${t.host}" was not found (DNS lookup failed); check the host name in the database URL`
    case 'ECONNREFUSED':
      return `${cannot}: connection refused; is PostgreSQL running at ${at} and accepting TCP connections (check listen_addresses and port)?`
    case 'ETIMEDOUT':
      return `${cannot}: the connection timed out; check the host, the port and any firewall in between`
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${cannot}: the host is unreachable from here; check the host name and the network`
    case 'ECONNRESET':
      return `${cannot}: the server closed the connection; check that ${at} is a PostgreSQL server and whether it requires SSL (sslmode=require)`
    case '28P01':
      return `${cannot}: password authentication failed for user "${t.user}"; check the user name and password in the database URL`
    case '28000':
      if (/no pg_hba\.conf entry.*(SSL off|no encryption)/i.test(message)) return sslRequired(cannot)
      return `${cannot}: the server refused user "${t.user}" (${message}); check the user name, or ask the database administrator to allow it to log in`
    case '3D000':
      return `${cannot}: database "${t.database}" does not exist; create it (createdb ${t.database}) or fix the database name in the URL`
    case '42501':
      return `${cannot}: user "${t.user}" may not connect to database "${t.database}" (permission denied); run GRANT CONNECT ON DATABASE ${t.database} TO ${t.user}, or use another user`
    case '53300':
      return `${cannot}: the server has no connection slots left; lower poolSize or raise max_connections on the server`
    case '57P03':
      return `${cannot}: the server is starting up, shutting down or in recovery; try again in a moment`
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${cannot}: the server's SSL certificate is not trusted (${code}); give its CA with sslrootcert=/path/to/ca.pem, or on a trusted network use sslmode=no-verify`
  }
  if (/timeout expired|timeout exceeded|connection timeout/i.test(message)) {
    return `${cannot}: no answer within the connection timeout; check the host, the port and any firewall in between, or raise connectionTimeoutMs`
  }
  if (/does not support SSL/i.test(message)) {
    return `${cannot}: the URL asks for SSL but the server does not support it; remove sslmode from the URL or set sslmode=disable`
  }
  if (/SASL|client password must be a string/i.test(message)) {
    return `${cannot}: the server asks user "${t.user}" for a password and the URL has none; add it as postgres://${t.user}:PASSWORD@${at}/${t.database}`
  }
  if (/SSL|TLS|certificate/i.test(message)) return `${cannot}: SSL negotiation failed (${message}); check sslmode and the certificates in the URL`
  return `${cannot}/${t.database} as user "${t.user}": ${message || String(error)}`
}

function sslRequired(cannot: string): string {
  return `${cannot}: the server requires SSL; add sslmode=require to the database URL`
}

/** The code and message of a Node, pg or aggregate (happy-eyeballs: one per address) error. */
function errorFields(error: unknown): { code: string; message: string } {
  const e = (error ?? {}) as { code?: unknown; message?: unknown; errors?: unknown[] }
  const first = Array.isArray(e.errors) && e.errors.length ? errorFields(e.errors[0]) : undefined
  const code = typeof e.code === 'string' ? e.code : (first?.code ?? '')
  const message = typeof e.message === 'string' && e.message ? e.message : (first?.message ?? '')
  return { code, message: message.replace(/\s+/g, ' ').trim() }
}

/** The parts of the URL the messages name, or why it cannot be used. */
function parseTarget(url: string): Target | string {
  if (!/^postgres(ql)?:\/\//i.test(url)) return 'it must start with postgres:// or postgresql://'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // No part of the URL is echoed: with an unencoded '/' or '@' in the password, what looks like
    // the host or port may be a piece of the password.
    const authority = /^[^:]+:\/\/([^/?#]*)/.exec(url)?.[1] ?? ''
    if (authority.includes('@') && /:[^@:]*[^\d@:][^@:]*$/.test(authority)) return 'the port is not a number'
    return 'it cannot be parsed'
  }
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part)
    } catch {
      return part
    }
  }
  // pg also takes the host from ?host= (e.g. a Unix socket directory) and defaults like libpq.
  const host = parsed.searchParams.get('host') || decode(parsed.hostname) || 'localhost'
  const user = decode(parsed.username) || process.env.PGUSER || process.env.USER || 'postgres'
  const database = decode(parsed.pathname.slice(1)) || user
  return { host, port: parsed.port || '5432', database, user, password: decode(parsed.password) }
}

/** Belt and braces: a server message could in theory echo the password back. */
function redact(line: string, password: string): string {
  return password ? line.split(password).join('***') : line
}

/**
 * While serving: the database itself failing a request, as opposed to the request's SQL failing.
 * 'unavailable': the server cannot be reached, refused or dropped the connection, or is starting
 * up or shutting down. 'busy': no pooled connection became free within connectionTimeoutMs, or the
 * server has no connection slot left. Either way nothing is wrong with the request, and the same
 * request will work again shortly, so the client is told exactly that (and never pg's message,
 * which names hosts and ports).
 */
export type DatabaseFailure = 'unavailable' | 'busy'

/** Node's socket errors when a server cannot be reached or drops the connection. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN'])
/** SQLSTATEs: admin_shutdown (a fast shutdown or pg_terminate_backend), crash_shutdown, cannot_connect_now (starting up, shutting down, recovering). Class 08 is connection exceptions. */
const SERVER_GOING = new Set(['57P01', '57P02', '57P03'])
/** Prisma's codes, when a write goes through its driver adapter: can't reach the server, timed out, connection closed. */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1017'])
/** @prisma/driver-adapter-utils error kinds. */
const ADAPTER_UNAVAILABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout'])

export function classifyDatabaseFailure(error: unknown, depth = 0): DatabaseFailure | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined
  const e = error as { code?: unknown; message?: unknown; kind?: unknown; cause?: unknown; errors?: unknown; meta?: { driverAdapterError?: unknown } }
  const code = typeof e.code === 'string' ? e.code : ''
  const message = typeof e.message === 'string' ? e.message : ''
  const kind = typeof e.kind === 'string' ? e.kind : ''
  // pg-pool waiting for a client of a full pool (a new connection timing out says "Connection
  // terminated due to connection timeout"), Prisma's pool timeout, the server out of slots.
  if (message === 'timeout exceeded when trying to connect' || code === '53300' || code === 'P2024' || kind === 'TooManyConnections') return 'busy'
  if (UNREACHABLE.has(code) || SERVER_GOING.has(code) || /^08[0-9A-Z]{3}$/.test(code) || PRISMA_UNAVAILABLE.has(code) || ADAPTER_UNAVAILABLE.has(kind)) return 'unavailable'
  // pg's own errors for a connection that ended, or that already failed and was not yet dropped;
  // no answer within statement_timeout plus connectionTimeoutMs (query_timeout, ./pool.ts); and a
  // pool already ended (a request still running while the server shuts down).
  if (/^Connection terminated\b|^Client has encountered a connection error and is not queryable|^Query read timeout$|^Cannot use a pool after calling end on the pool/.test(message)) return 'unavailable'
  // The reason may be inside: Node's AggregateError (one error per address tried), `cause`
  // (pg-pool's timeout, Prisma's DriverAdapterError), Prisma's `meta.driverAdapterError`.
  const inner = [...(Array.isArray(e.errors) ? e.errors : []), e.cause, e.meta?.driverAdapterError]
  for (const candidate of inner) {
    const found = classifyDatabaseFailure(candidate, depth + 1)
    if (found) return found
  }
  return undefined
}

export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable; try again shortly.'
export const DATABASE_BUSY_MESSAGE = 'The database is busy (no connection became free in time); try again shortly.'

/** The error a client gets for a database failure (`retry: true`: the same request may succeed later), or undefined for any other error. */
export function databaseFailureError(error: unknown): ClientError | undefined {
  return clientErrorFor(classifyDatabaseFailure(error))
}

export function clientErrorFor(failure: DatabaseFailure | undefined): ClientError | undefined {
  if (failure === 'unavailable') return new ClientError(DATABASE_UNAVAILABLE_MESSAGE, 'DATABASE_UNAVAILABLE', { retry: true })
  if (failure === 'busy') return new ClientError(DATABASE_BUSY_MESSAGE, 'DATABASE_BUSY', { retry: true })
  return undefined
}

/** Whether `error` is a client error made by databaseFailureError: trying again at once would fail the same way. */
export function isDatabaseFailureError(error: unknown): boolean {
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code
  return code === 'DATABASE_UNAVAILABLE' || code === 'DATABASE_BUSY'
}

/** Errors with no SQLSTATE come from the connection, not the statement (the SQL runner and the request session both ask). */
export const isConnectionError = (error: unknown) => !(typeof error === 'object' && error !== null && 'code' in error && /^[0-9A-Z]{5}$/.test(String((error as { code: unknown }).code)))
