/**
 * A subscription's or live query's stream, watched to its end for the request log's second line
 * (./use-request-log.ts): the log's first line is written when the stream starts, which says
 * nothing of how long it ran, what it pushed, or why it stopped.
 *
 * Why it ended, as seen from the stream:
 * - `completed`: the source ran out (a query over a stream, a source that finished);
 * - `queue overflow`: its last result carried SLOW_CONSUMER (../live/subscriber-queue.ts);
 * - `server shutdown`: it completed, or its transport let go of it, while the gateway was closing;
 * - `client closed`: the transport let go of it (a WebSocket `complete` or close, an SSE
 *   disconnect, a DELETE of a single-connection operation);
 * - `error`: reading the next result threw.
 */
import type { ExecutionResult } from 'graphql'

export type StreamEndReason = 'client closed' | 'completed' | 'error' | 'queue overflow' | 'server shutdown'

export interface StreamEnd {
  /** Results the stream handed to its transport. */
  events: number
  reason: StreamEndReason
}

const overflowed = (result: unknown) =>
  (result as ExecutionResult | undefined)?.errors?.some((error) => (error as { extensions?: { code?: unknown } }).extensions?.code === 'SLOW_CONSUMER') === true

export function watchStreamEnd<T>(stream: AsyncIterable<T>, shuttingDown: () => boolean, onEnd: (end: StreamEnd) => void): AsyncIterableIterator<T> {
  const iterator = stream[Symbol.asyncIterator]()
  let events = 0
  let overflow = false
  let ended = false
  const end = (reason: StreamEndReason) => {
    if (ended) return
    ended = true
    onEnd({ events, reason })
  }
  return {
    async next() {
      let step: IteratorResult<T>
      try {
        step = await iterator.next()
      } catch (error) {
        end('error')
        throw error
      }
      if (step.done) end(overflow ? 'queue overflow' : shuttingDown() ? 'server shutdown' : 'completed')
      else {
        events += 1
        overflow ||= overflowed(step.value)
      }
      return step
    },
    async return(value?: unknown) {
      end(overflow ? 'queue overflow' : shuttingDown() ? 'server shutdown' : 'client closed')
      return (await iterator.return?.(value)) ?? { value: undefined, done: true }
    },
    async throw(error?: unknown) {
      end('error')
      if (iterator.throw) return iterator.throw(error)
      throw error
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
