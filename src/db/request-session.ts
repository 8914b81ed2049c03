/**
 * A request's database session, when authorization is on: one pooled connection, one transaction,
 * opened with the caller's role and claims as PostgREST and PostGraphile do:
 *
 *   BEGIN; SELECT set_config('role', 'alice', true), set_config('request.jwt.claims', '{…}', true),
 *                 (one set_config('request.jwt.claim.<name>', …, true) per claim)
 *
 * so row-level security policies and GRANTs decide what each caller sees and writes. The settings
 * are transaction-local (`true`): COMMIT or ROLLBACK ends them, and the next request on the same
 * pooled connection starts clean. A query's reads skip the BEGIN and COMMIT: each goes with the
 * settings in one round trip (`readWithSettings`, ./settings-then-query.ts).
 *
 * Every statement of the request finds the session through AsyncLocalStorage: the planner's
 * (../db/sql-runner.ts; DataLoader batches and federation `_entities` included, since they run in
 * the request's async context) and Prisma's (./prisma-adapter.ts), whose own transactions become
 * savepoints inside this one. The connection is taken at the first statement, not before: a
 * request refused by validation never holds one.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import pg from 'pg'
import { isConnectionError } from './connection-errors.js'
import type { SettingsStatement } from './settings-then-query.js'

/** Who the request runs as in PostgreSQL. */
export interface SessionIdentity {
  /** A PostgreSQL role, already checked against the configured allow-list. */
  role: string
  /** The verified token's claims (empty for anonymous requests). */
  claims: Record<string, unknown>
}

/**
 * The caller's settings as one SELECT over two SQL expressions, the role and the claims' JSON
 * text: the role, the claims as `request.jwt.claims`, and one `request.jwt.claim.<name>` per claim
 * for policies written against PostgREST's older form (a claim whose name is not a plain
 * identifier cannot be a setting's name; it stays in the JSON). Each is transaction-local.
 */
function settingsSelect(role: string, claims: string): string {
  return (
    `SELECT set_config('role', ${role}, true), set_config('request.jwt.claims', ${claims}, true), ` +
    `(SELECT count(set_config('request.jwt.claim.' || key, coalesce(value, 'null'), true)) ` +
    `FROM json_each_text(${claims}::json) WHERE key ~ '^[A-Za-z_][A-Za-z0-9_]*$')`
  )
}

const SETTINGS_TEXT = settingsSelect('$1', '$2')
/** By identity: a verified token's identity is reused while the token is (../auth/verify-token.ts). */
const statements = new WeakMap<SessionIdentity, SettingsStatement>()

/** The settings as a statement with parameters, for a read sent with them (./settings-then-query.ts). */
export function settingsStatement(identity: SessionIdentity): SettingsStatement {
  let statement = statements.get(identity)
  if (!statement) statements.set(identity, (statement = { text: SETTINGS_TEXT, values: [identity.role, JSON.stringify(identity.claims)] }))
  return statement
}

/** The statements that open a request's transaction with its identity (one round trip). */
export function openingStatements(identity: SessionIdentity): string {
  // Literals, not parameters, so BEGIN and the settings travel as one simple query; escapeLiteral
  // is pg's own quoting (E'' with doubled quotes and backslashes).
  return `BEGIN; ${settingsSelect(pg.escapeLiteral(identity.role), pg.escapeLiteral(JSON.stringify(identity.claims)))}`
}

const active = new AsyncLocalStorage<RequestSession>()

export class RequestSession {
  private client?: Promise<pg.PoolClient>
  /** The transaction is aborted (a statement failed before any write): begin again before the next one. */
  private aborted = false
  /** Set once something was written: from then on a failing statement must undo only itself. */
  private wrote = false
  private broken?: Error
  /** Statements of one request run one at a time: savepoints must not interleave. */
  private queue: Promise<unknown> = Promise.resolve()
  private savepoints = 0

  private constructor(
    private readonly pool: pg.Pool,
    private readonly identity: SessionIdentity,
    private readonly readOnly: boolean,
  ) {}

  /** The session of the request this code runs for, if authorization is on. */
  static current(): RequestSession | undefined {
    return active.getStore()
  }

  /**
   * Runs `work` (a request's execution) in a new session; commits if it resolves, else rolls back.
   * `readOnly`: the work is a query (no mutation), so its planner reads may go one round trip each
   * (see `readWithSettings`).
   */
  static async run<T>(pool: pg.Pool, identity: SessionIdentity, work: () => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    const session = new RequestSession(pool, identity, options.readOnly === true)
    let result: T
    try {
      result = await active.run(session, work)
    } catch (error) {
      await session.end(false).catch(() => {})
      throw error
    }
    await session.end(true)
    return result
  }

  /**
   * A query's reads need no transaction of their own: under READ COMMITTED each statement takes
   * its own snapshot in a transaction too. So each is sent with the caller's settings in one round
   * trip (./settings-then-query.ts), on a connection held for that statement only, instead of
   * BEGIN and the settings, the read, and COMMIT: three round trips. Once the session has opened
   * its transaction (a Prisma statement in a query), its reads stay in it.
   *
   * For a read: the pool to take that connection from and the settings to send with it, or
   * undefined when the read runs in the session's transaction (`query`).
   */
  readWithSettings(): { pool: pg.Pool; settings: SettingsStatement } | undefined {
    return this.readOnly && !this.client ? { pool: this.pool, settings: settingsStatement(this.identity) } : undefined
  }

  /** One planner statement in the request's transaction. */
  query<T>(run: (client: pg.PoolClient) => Promise<T>, options: { write?: boolean } = {}): Promise<T> {
    return this.exclusive(async () => {
      const client = await this.connection()
      if (options.write) this.wrote = true
      if (!this.wrote) {
        try {
          return await run(client)
        } catch (error) {
          this.failed(error)
          throw error
        }
      }
      return this.inSavepoint(client, () => run(client))
    })
  }

  /**
   * A write transaction of Prisma's, as a savepoint of the request's transaction: a client whose
   * BEGIN, COMMIT and ROLLBACK are translated, holding the session until Prisma releases it.
   */
  async prismaTransactionClient(): Promise<pg.PoolClient> {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    // The session stays locked from Prisma's BEGIN to its COMMIT or ROLLBACK.
    const client = await new Promise<pg.PoolClient>((resolve, reject) => {
      void this.exclusive(async () => {
        try {
          resolve(await this.connection())
        } catch (error) {
          reject(error as Error)
          return
        }
        await held
      })
    })
    this.wrote = true
    const name = `portico_write_${++this.savepoints}`
    const translate: Record<string, string> = { BEGIN: `SAVEPOINT ${name}`, COMMIT: `RELEASE SAVEPOINT ${name}`, ROLLBACK: `ROLLBACK TO SAVEPOINT ${name}` }
    const session = this
    // Only what @prisma/adapter-pg's transaction uses of a pool client.
    const facade = {
      query(config: string | pg.QueryConfig, values?: unknown[]) {
        const text = typeof config === 'string' ? config : config.text
        const replaced = translate[text.trim().toUpperCase()]
        const query = replaced ?? config
        return (client.query as (c: unknown, v?: unknown[]) => Promise<pg.QueryResult>)(query, values).catch((error: unknown) => {
          session.noteConnectionError(error)
          throw error
        })
      },
      release() {
        release()
      },
      on() {
        return facade
      },
      removeListener() {
        return facade
      },
    }
    return facade as unknown as pg.PoolClient
  }

  /** Ends the transaction and gives the connection back. */
  async end(commit: boolean): Promise<void> {
    if (!this.client) return
    const client = await this.client.catch(() => undefined)
    if (!client) return
    if (this.broken) {
      client.release(this.broken)
      return
    }
    try {
      await client.query(commit && !this.aborted ? 'COMMIT' : 'ROLLBACK')
      client.release()
    } catch (error) {
      client.release(error as Error)
      throw error
    }
  }

  private connection(): Promise<pg.PoolClient> {
    if (this.broken) return Promise.reject(this.broken)
    if (!this.client) {
      this.client = this.pool.connect().then(async (client) => {
        try {
          await client.query(openingStatements(this.identity))
          return client
        } catch (error) {
          client.release(error as Error)
          throw error
        }
      })
      // A failed checkout is retried by the next statement, not remembered.
      this.client.catch(() => (this.client = undefined))
      return this.client
    }
    if (!this.aborted) return this.client
    // Nothing was written yet: start over, with the same identity.
    this.aborted = false
    this.client = this.client.then(async (client) => {
      await client.query(`ROLLBACK; ${openingStatements(this.identity)}`)
      return client
    })
    return this.client
  }

  private async inSavepoint<T>(client: pg.PoolClient, run: () => Promise<T>): Promise<T> {
    const name = `portico_read_${++this.savepoints}`
    await client.query(`SAVEPOINT ${name}`)
    try {
      const result = await run()
      await client.query(`RELEASE SAVEPOINT ${name}`)
      return result
    } catch (error) {
      this.noteConnectionError(error)
      if (!this.broken) await client.query(`ROLLBACK TO SAVEPOINT ${name}`)
      throw error
    }
  }

  private failed(error: unknown): void {
    this.noteConnectionError(error)
    if (!this.broken) this.aborted = true
  }

  /** An error with no SQLSTATE came from the connection, which is then unusable. */
  private noteConnectionError(error: unknown): void {
    if (isConnectionError(error)) this.broken = error as Error
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work)
    this.queue = result.catch(() => {})
    return result
  }
}
