/**
 * One subscriber's stream: an async iterator fed by the poller or the change listener and read by
 * the transport at the pace of its client. What the client has not read yet waits here, up to a
 * fixed number of results: a consumer that falls further behind gets one last result carrying a
 * SLOW_CONSUMER error and the stream ends, so a slow client never makes memory grow.
 */
import { ClientError } from '../errors.js'

export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = []
  private waiting?: (result: IteratorResult<T>) => void
  private ended = false

  constructor(
    private readonly capacity: number,
    /** Called once when the stream ends, however it ends: the subscriber leaves its cohort. */
    private readonly onEnd: () => void,
    /** The last result when the queue is full. */
    private readonly overflow: (error: ClientError) => T,
  ) {}

  get closed(): boolean {
    return this.ended
  }

  /** Queues a result; false when the stream has ended. */
  push(item: T): boolean {
    if (this.ended) return false
    if (this.waiting) {
      const resolve = this.waiting
      this.waiting = undefined
      resolve({ value: item, done: false })
      return true
    }
    if (this.items.length >= this.capacity) {
      this.finish(
        this.overflow(
          new ClientError(`This subscription fell ${this.capacity} results behind and was ended; read faster, or subscribe again.`, 'SLOW_CONSUMER', { queueSize: this.capacity }),
        ),
      )
      return false
    }
    this.items.push(item)
    return true
  }

  /** Ends the stream after one last result (an error), dropping what was still queued. */
  finish(last?: T): void {
    if (this.ended) return
    this.items = last === undefined ? [] : [last]
    this.end()
    if (this.waiting && this.items.length) {
      const resolve = this.waiting
      this.waiting = undefined
      resolve({ value: this.items.shift()!, done: false })
    } else if (this.waiting) {
      const resolve = this.waiting
      this.waiting = undefined
      resolve({ value: undefined, done: true })
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false })
    if (this.ended) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve) => (this.waiting = resolve))
  }

  /** The client went away (or completed the subscription). */
  return(): Promise<IteratorResult<T>> {
    this.items = []
    this.end()
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.({ value: undefined, done: true })
    return Promise.resolve({ value: undefined, done: true })
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    void this.return()
    return Promise.reject(error)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  private end(): void {
    if (this.ended) return
    this.ended = true
    this.onEnd()
  }
}
