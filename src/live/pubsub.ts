/**
 * Application events: `portico.publish(topic, payload)` for extension code, and the streams of
 * `Subscription.published(topic:)`. With `redisUrl`, events go through Redis (Yoga's Redis event
 * target, ioredis), so a publish in one replica reaches subscribers of every replica; without
 * it they stay in this process. Payloads are JSON values.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target'
import { createPubSub as createYogaPubSub } from '@graphql-yoga/subscription'
import { Redis } from 'ioredis'

export interface PorticoPubSub {
  publish(topic: string, payload: unknown): void
  subscribe(topic: string): AsyncIterableIterator<unknown>
  close(): Promise<void>
}

/** Redis channels are shared with other applications: Portico's are prefixed. */
const CHANNEL_PREFIX = 'portico:'

export function createPubSub(options: { redisUrl?: string } = {}): PorticoPubSub {
  const clients = options.redisUrl ? [new Redis(options.redisUrl, { lazyConnect: false }), new Redis(options.redisUrl, { lazyConnect: false })] : []
  const eventTarget = clients.length ? createRedisEventTarget({ publishClient: clients[0]!, subscribeClient: clients[1]! }) : undefined
  const pubsub = createYogaPubSub<Record<string, [unknown]>>(eventTarget ? { eventTarget } : {})
  return {
    publish: (topic, payload) => pubsub.publish(`${CHANNEL_PREFIX}${topic}`, payload),
    subscribe: (topic) => pubsub.subscribe(`${CHANNEL_PREFIX}${topic}`) as AsyncIterableIterator<unknown>,
    async close() {
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())))
    },
  }
}
