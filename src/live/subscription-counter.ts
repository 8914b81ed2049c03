/**
 * The subscriptions open in this process (live queries, subscription fields, published topics),
 * against `live.maxSubscriptions`: one more is refused with TOO_MANY_SUBSCRIPTIONS instead of
 * letting memory and polling grow without bound.
 */
import { ClientError } from '../errors.js'

export class SubscriptionCounter {
  private count = 0

  constructor(readonly max: number) {}

  get open(): number {
    return this.count
  }

  /** Takes a place, or throws; the returned function gives it back (once). */
  acquire(): () => void {
    if (this.count >= this.max) {
      throw new ClientError(`This server already serves ${this.max} subscriptions (live.maxSubscriptions); try again later.`, 'TOO_MANY_SUBSCRIPTIONS', { max: this.max })
    }
    this.count += 1
    let released = false
    return () => {
      if (released) return
      released = true
      this.count -= 1
    }
  }
}
