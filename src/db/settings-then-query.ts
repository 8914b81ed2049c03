/**
 * One round trip for a read under the caller's identity: the session settings statement and the
 * read itself, sent as extended-protocol messages under ONE Sync.
 *
 * PostgreSQL runs everything up to a Sync as one implicit transaction, so the transaction-local
 * `set_config(..., true)` of the first statement holds while the second is planned and run (its
 * GRANTs and row-level security see the caller's role and claims), and ends at the Sync: the
 * connection goes back to the pool clean, with no BEGIN and no COMMIT round trips. If either
 * statement fails, PostgreSQL skips the rest up to the Sync and rolls the transaction back.
 *
 * pg's own pipeline mode cannot do this: it ends every query with a Sync of its own, which would
 * end the settings' transaction before the read. So this is a pg Query whose preparation sends the
 * settings statement first and which passes over that statement's row and completion.
 */
import pg from 'pg'

export interface SettingsStatement {
  text: string
  /** The role, and the claims as JSON text. */
  values: [role: string, claims: string]
}

/** The parts of pg's (untyped) Connection this uses. */
interface Connection {
  parse(message: { text: string; name?: string }): void
  bind(message: { statement?: string; values: unknown[] }): void
  execute(message: { portal?: string }): void
  parsedStatements: Record<string, string>
  submittedNamedStatements: Record<string, string>
}

type Callback = (error: Error | null, result: pg.QueryResult) => void

/** pg's Query, as far as its (untyped) protocol hooks go. */
const BaseQuery = pg.Query as unknown as new (config: pg.QueryConfig & { queryMode: 'extended' }, values: undefined, callback: Callback) => {
  prepare(connection: Connection): void
  handleDataRow(message: unknown): void
  handleCommandComplete(message: unknown, connection: Connection): void
  handleError(error: Error, connection: Connection): void
}

class SettingsThenQuery extends BaseQuery {
  /**
   * The read's statement name. pg's client reads `name` when a ParseComplete or an error arrives
   * and files it under that name; while the settings statement's answers arrive, `name` is
   * undefined, so they are not taken for the read's.
   */
  declare private readName: string | undefined
  declare private phase: 'sending' | 'settings' | 'read'
  /** This round trip parses the read's named statement (it was not prepared on the connection). */
  declare private parsesRead: boolean

  constructor(
    config: pg.QueryConfig,
    private readonly settings: SettingsStatement,
    callback: Callback,
  ) {
    super({ ...config, queryMode: 'extended' }, undefined, callback)
    this.phase = 'sending'
  }

  get name(): string | undefined {
    return this.phase === 'settings' ? undefined : this.readName
  }

  set name(name: string | undefined) {
    this.readName = name
  }

  override prepare(connection: Connection): void {
    const name = this.readName
    this.parsesRead = name !== undefined && connection.parsedStatements[name] === undefined && connection.submittedNamedStatements[name] === undefined
    // Unnamed, and parsed on every request as the BEGIN; SELECT set_config(...) it replaces was.
    connection.parse({ text: this.settings.text })
    connection.bind({ values: this.settings.values })
    connection.execute({ portal: '' })
    // The read: Parse if new, Bind, Describe, Execute, then the one Sync.
    super.prepare(connection)
    this.phase = 'settings'
  }

  override handleDataRow(message: unknown): void {
    if (this.phase === 'read') super.handleDataRow(message)
  }

  override handleCommandComplete(message: unknown, connection: Connection): void {
    if (this.phase === 'settings') this.phase = 'read'
    else super.handleCommandComplete(message, connection)
  }

  override handleError(error: Error, connection: Connection): void {
    // The settings failed (a role the login may not take): PostgreSQL skipped the read's Parse,
    // so pg must not take the statement for prepared.
    if (this.phase === 'settings' && this.parsesRead && this.readName !== undefined) delete connection.submittedNamedStatements[this.readName]
    super.handleError(error, connection)
  }
}

/** Runs `config` on `client` after `settings`, in one round trip and one implicit transaction. */
export function queryWithSettings(client: pg.PoolClient, config: pg.QueryConfig, settings: SettingsStatement): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    client.query(new SettingsThenQuery(config, settings, (error, result) => (error ? reject(error) : resolve(result))) as unknown as pg.Submittable)
  })
}
