/**
 * Idempotency keys for creates: a retried create with a key already seen (within the window)
 * returns the row the first one wrote instead of writing again. Remembered in this process's
 * memory only: several Portico processes behind a load balancer do not share their keys.
 *
 * The first call's promise is stored at once, so a retry that arrives while the first is still
 * running waits for it. A failed create forgets its key: retrying it may write. A key reused with
 * different arguments is an error, not a silent replay of something else.
 */
import { ClientError } from '../errors.js'

interface Entry {
  expires: number
  arguments: string
  result: Promise<unknown>
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `write()`'s result, or the first result stored under `key` for the same `args`. */
  async run<T>(key: string, args: unknown, write: () => Promise<T>): Promise<T> {
    this.sweep()
    const text = stableText(args)
    const seen = this.entries.get(key)
    if (seen) {
      if (seen.arguments !== text) {
        throw new ClientError('this idempotency key was used for a different mutation; use a new key', 'IDEMPOTENCY_KEY_REUSED')
      }
      return seen.result as Promise<T>
    }
    const result = write()
    if (this.windowMs > 0) this.entries.set(key, { expires: this.now() + this.windowMs, arguments: text, result })
    result.catch(() => this.entries.delete(key))
    return result
  }

  /** Expired keys leave on the next call (Map keeps insertion order, so the oldest come first). */
  private sweep(): void {
    const now = this.now()
    for (const [key, entry] of this.entries) {
      if (entry.expires > now) break
      this.entries.delete(key)
    }
  }
}

/** Arguments as text for comparison: BigInts and byte arrays included. */
function stableText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v))
}
