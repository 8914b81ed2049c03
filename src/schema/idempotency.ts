/**
 * Idempotency keys for creates, shared by every Portico process through PostgreSQL
 * (../db/idempotency-store.ts): a retried create with a key already used (within the window)
 * returns the row the first one wrote instead of writing again, whichever process the retry
 * reaches and whatever happened to the first one after its COMMIT (a crash before the reply).
 *
 * The key is claimed inside the create's own transaction, so the claim and the row commit
 * together or not at all: a failed create forgets its key. A key reused with different arguments
 * is an error, not a silent replay of something else.
 */
import { hashText, type IdempotencyTable, type RunSql } from '../db/idempotency-store.js'
import { ClientError } from '../errors.js'

export interface IdempotencyOptions {
  table: IdempotencyTable
  /** Statements outside any request's session (the table's creation, the sweep): Portico's own user. */
  direct: RunSql
  windowMs: number
}

/** How often expired keys are deleted (a claim takes an expired key over anyway). */
const SWEEP_MS = 10 * 60 * 1000

/** Test-only: the process kills itself right after a keyed create commits, before replying. */
const CRASH_AFTER_COMMIT = process.env.PORTICO_TEST_CRASH_AFTER_COMMIT === '1'

export interface Prepared {
  key: string
  arguments: string
}

export class Idempotency {
  private sweeper?: NodeJS.Timeout

  constructor(private readonly options: IdempotencyOptions) {}

  get enabled(): boolean {
    return this.options.windowMs > 0
  }

  /** The key and arguments as stored (hashes); creates the table on first use. */
  async prepare(key: string, args: unknown): Promise<Prepared> {
    await this.ready()
    return { key: hashText(key), arguments: hashText(stableText(args)) }
  }

  /**
   * Claims the key in the create's transaction (`run` executes there): undefined when the create
   * is to run, else the first create's stored result.
   */
  async claim(run: RunSql, prepared: Prepared): Promise<string | undefined> {
    const claim = await this.options.table.claim(run, prepared.key, prepared.arguments, this.options.windowMs)
    if (claim.claimed) return undefined
    if (claim.arguments !== prepared.arguments) throw new ClientError('this idempotency key was used for a different mutation; use a new key', 'IDEMPOTENCY_KEY_REUSED')
    return claim.result
  }

  /** Stores the create's result under its claimed key, in the same transaction. */
  finish(run: RunSql, prepared: Prepared, result: string): Promise<void> {
    return this.options.table.finish(run, prepared.key, result)
  }

  /** The create committed (its reply is not sent yet). */
  committed(): void {
    if (CRASH_AFTER_COMMIT) process.kill(process.pid, 'SIGKILL')
  }

  /** Stops the sweeper (the gateway's close). */
  close(): void {
    clearInterval(this.sweeper)
  }

  private async ready(): Promise<void> {
    await this.options.table.ensure(this.options.direct)
    if (this.sweeper) return
    const sweep = () => void this.options.table.sweep(this.options.direct).catch(() => {})
    this.sweeper = setInterval(sweep, SWEEP_MS).unref()
    sweep()
  }
}

/** Arguments as text for comparison: BigInts and byte arrays included. */
export function stableText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v))
}
